using Petrel.Crypto.Primitives;

namespace Petrel.Ike.V1.Keying;

/// <summary>
/// ISAKMP payload encryption (RFC 2408 §3.1 E flag, RFC 2409 §5.2): the payloads after the header, padded to the
/// cipher's block size, CBC-encrypted with the key derived from SKEYID_e and the IVs of <see cref="IvChain"/>.
/// </summary>
public sealed class Phase1Cipher : IDisposable
{
    private readonly ICipherContext _context;

    public Phase1Cipher(EncryptionAlgorithm algorithm, ReadOnlySpan<byte> key, IvChain ivs)
    {
        if (algorithm.IsAead || algorithm.BlockSize <= 1)
            throw new ArgumentException("IKEv1 Phase 1 encryption needs a CBC block cipher", nameof(algorithm));
        BlockSize = algorithm.BlockSize;
        Ivs = ivs;
        _context = algorithm.CreateContext(key);
    }

    public int BlockSize { get; }
    public IvChain Ivs { get; }

    /// <summary>Pads (zeros, RFC 2408 §3.1) and encrypts; the chain moves on.</summary>
    public byte[] Encrypt(uint messageId, ReadOnlySpan<byte> plaintext)
    {
        int length = (plaintext.Length + BlockSize - 1) / BlockSize * BlockSize;
        if (length == 0) length = BlockSize;
        var padded = new byte[length];
        plaintext.CopyTo(padded);
        var ciphertext = new byte[length];
        _context.Encrypt(Ivs.Current(messageId), default, padded, ciphertext, default);
        Ivs.Advance(messageId, ciphertext);
        return ciphertext;
    }

    /// <summary>Decrypts with the exchange's current IV without moving the chain (the caller commits once the message parses).</summary>
    public byte[]? Decrypt(uint messageId, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length == 0 || ciphertext.Length % BlockSize != 0) return null;
        var plaintext = new byte[ciphertext.Length];
        return _context.Decrypt(Ivs.Current(messageId), default, ciphertext, default, plaintext) ? plaintext : null;
    }

    public void Dispose() => _context.Dispose();
}

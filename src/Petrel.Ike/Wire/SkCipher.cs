using System.Buffers;
using System.Buffers.Binary;
using Petrel.Crypto.Primitives;

namespace Petrel.Ike.Wire;

/// <summary>
/// Protection of SK (RFC 7296 §3.14) and SKF (RFC 7383 §2.5) payloads for one direction of an IKE SA:
/// SK_ei/SK_ai for what the original initiator sends, SK_er/SK_ar for the responder. Keeps the keys and keys a
/// context per message: an established IKE SA sends and receives a message now and then (DPD, rekeying, DELETE),
/// and a keyed AES-GCM context holds ~2.7 kB of OpenSSL memory, two per IKE SA, while keying one costs a few
/// microseconds. Not thread-safe (the engine runs on one thread).
/// </summary>
public sealed class SkCipher : IDisposable
{
    private readonly byte[] _encryptionKey;
    private readonly byte[] _integrityKey;
    private readonly IRandom _random;
    private readonly bool _counterIv;
    private readonly bool _blockChaining;
    private ulong _ivCounter;

    /// <param name="encryption">The negotiated encryption transform (AEAD or not).</param>
    /// <param name="encryptionKey">SK_e (for AEAD including the salt, RFC 5282 §7.1).</param>
    /// <param name="integrity">The negotiated integrity transform; null for AEAD (RFC 7296 §3.3.3: none is negotiated).</param>
    /// <param name="integrityKey">SK_a, empty for AEAD.</param>
    /// <param name="random">IV source for CBC, where RFC 7296 §3.14 requires an unpredictable IV.</param>
    public SkCipher(EncryptionAlgorithm encryption, ReadOnlySpan<byte> encryptionKey, IntegrityAlgorithm? integrity, ReadOnlySpan<byte> integrityKey, IRandom random)
    {
        if (!encryption.IsAead && integrity is null)
            throw new ArgumentException("a non-AEAD cipher needs an integrity algorithm (RFC 7296 §3.14)", nameof(integrity));
        Encryption = encryption;
        Integrity = encryption.IsAead ? null : integrity;
        _encryptionKey = encryptionKey.ToArray();
        _integrityKey = Integrity is null ? [] : integrityKey.ToArray();
        // Keyed once here so that a key the transform refuses fails now, as before, not on the first message.
        Encryption.CreateContext(_encryptionKey).Dispose();
        Integrity?.CreateContext(_integrityKey).Dispose();
        _random = random;
        // A block-chaining cipher carries an IV of one block; counter modes and AEADs carry an 8-byte IV.
        _blockChaining = !encryption.IsAead && encryption.IvLength == encryption.BlockSize && encryption.BlockSize > 1;
        // RFC 5282 §3 / RFC 5930 §3: AEAD and counter-mode IVs must never repeat under one key but need not be
        // unpredictable, so a counter is used (as strongSwan does); CBC IVs come from the random source.
        _counterIv = !_blockChaining;
    }

    public EncryptionAlgorithm Encryption { get; }
    public IntegrityAlgorithm? Integrity { get; }

    public int IvLength => Encryption.IvLength;
    public int IcvLength => Encryption.IsAead ? Encryption.IcvLength : Integrity!.IcvLength;

    /// <summary>
    /// Padding unit of the plaintext (inner payloads + padding + pad length). RFC 7296 §3.14 pads to the cipher's
    /// block size; for AEAD and counter modes that is 1 (RFC 5282 §3, RFC 5930 §2), whatever alignment ESP
    /// applies to the same transform, and strongSwan sends such SK payloads unpadded.
    /// </summary>
    private int PadUnit => _blockChaining ? Encryption.BlockSize : 1;

    /// <summary>Length of IV + ciphertext + ICV for plaintextLength bytes of inner payloads.</summary>
    public int GetProtectedLength(int plaintextLength) => IvLength + PaddedLength(plaintextLength) + IcvLength;

    /// <summary>The largest plaintext that fits into protectedLength bytes of IV + ciphertext + ICV.</summary>
    public int GetMaxPlaintextLength(int protectedLength)
    {
        int room = protectedLength - IvLength - IcvLength;
        room -= room % PadUnit;
        return room - 1;
    }

    private int PaddedLength(int plaintextLength)
    {
        int unit = PadUnit;
        int withPadLength = plaintextLength + 1;
        return (withPadLength + unit - 1) / unit * unit;
    }

    /// <summary>
    /// Encrypts plaintext into message[ivOffset..] (IV, ciphertext with padding and pad length, ICV) and
    /// authenticates message[..ivOffset] as well: as AAD for AEAD (RFC 5282 §5.1), or as the start of the
    /// data the ICV covers (RFC 7296 §3.14: the whole message up to the ICV). The IKE header and the
    /// generic payload header must already be written with their final lengths.
    /// </summary>
    public void Seal(Span<byte> message, int ivOffset, ReadOnlySpan<byte> plaintext)
    {
        int padded = PaddedLength(plaintext.Length);
        var iv = message.Slice(ivOffset, IvLength);
        if (_counterIv)
        {
            iv.Clear();
            BinaryPrimitives.WriteUInt64BigEndian(iv[^8..], ++_ivCounter);
        }
        else
        {
            _random.Fill(iv);
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(padded);
        try
        {
            var input = rented.AsSpan(0, padded);
            plaintext.CopyTo(input);
            // §3.14: padding may be any value; zeros keep the encoding deterministic for a given IV.
            int padLength = padded - plaintext.Length - 1;
            input.Slice(plaintext.Length, padLength).Clear();
            input[^1] = (byte)padLength;
            SealPadded(message, ivOffset, input);
            input.Clear();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Encrypts an already padded plaintext (ending in its pad length) with the IV already written at ivOffset,
    /// then writes the ICV or tag. Split from <see cref="Seal"/> so tests can reproduce captured messages.
    /// </summary>
    internal void SealPadded(Span<byte> message, int ivOffset, ReadOnlySpan<byte> padded)
    {
        var iv = message.Slice(ivOffset, IvLength);
        var ciphertext = message.Slice(ivOffset + IvLength, padded.Length);
        var icv = message.Slice(ivOffset + IvLength + padded.Length, IcvLength);
        using var cipher = Encryption.CreateContext(_encryptionKey);
        if (Encryption.IsAead)
        {
            cipher.Encrypt(iv, message[..ivOffset], padded, ciphertext, icv);
        }
        else
        {
            cipher.Encrypt(iv, default, padded, ciphertext, default);
            using var integrity = Integrity!.CreateContext(_integrityKey);
            integrity.Compute(message[..(ivOffset + IvLength + padded.Length)], icv);
        }
    }

    /// <summary>
    /// Verifies and decrypts the protected part message[ivOffset..end] (IV, ciphertext, ICV). The ICV is
    /// checked before anything is decrypted (RFC 7296 §2.21.2). On success plaintext holds the inner
    /// payload bytes with padding and pad length removed.
    /// </summary>
    public IkeDecodeStatus Open(ReadOnlySpan<byte> message, int ivOffset, out byte[] plaintext, out string error)
    {
        plaintext = [];
        int protectedLength = message.Length - ivOffset;
        int cipherLength = protectedLength - IvLength - IcvLength;
        if (cipherLength < 1 || cipherLength % PadUnit != 0)
        {
            error = $"encrypted payload of {protectedLength} bytes does not fit IV {IvLength} + blocks of {PadUnit} + ICV {IcvLength}";
            return IkeDecodeStatus.Malformed;
        }
        var iv = message.Slice(ivOffset, IvLength);
        var ciphertext = message.Slice(ivOffset + IvLength, cipherLength);
        var icv = message[^IcvLength..];
        var output = new byte[cipherLength];

        using var cipher = Encryption.CreateContext(_encryptionKey);
        if (Encryption.IsAead)
        {
            if (!cipher.Decrypt(iv, message[..ivOffset], ciphertext, icv, output))
            {
                error = "AEAD tag of the encrypted payload does not verify";
                return IkeDecodeStatus.IntegrityCheckFailed;
            }
        }
        else
        {
            using (var integrity = Integrity!.CreateContext(_integrityKey))
            {
                if (!integrity.Verify(message[..^IcvLength], icv))
                {
                    error = "ICV of the encrypted payload does not verify";
                    return IkeDecodeStatus.IntegrityCheckFailed;
                }
            }
            cipher.Decrypt(iv, default, ciphertext, default, output);
        }

        int padLength = output[^1];
        if (padLength + 1 > output.Length)
        {
            Array.Clear(output);
            error = $"pad length {padLength} exceeds the {output.Length}-byte plaintext";
            return IkeDecodeStatus.InvalidSyntax;
        }
        plaintext = output.AsSpan(0, output.Length - padLength - 1).ToArray();
        Array.Clear(output);
        error = "";
        return IkeDecodeStatus.Success;
    }

    public void Dispose()
    {
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_encryptionKey);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_integrityKey);
    }
}

using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// A keyed AES-GMAC for AH: the GCM tag of an empty plaintext under nonce salt || IV with the
/// authenticated packet as AAD (RFC 4543 §2, §3.2, §4). No allocation per packet. Not thread-safe.
/// </summary>
internal sealed class AesGmacIntegrityContext : IIvIntegrityContext
{
    private readonly AesGcm _gcm;
    private readonly byte[] _salt;

    public AesGmacIntegrityContext(ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt)
    {
        _gcm = new AesGcm(key, AesGmacIntegrity.TagBytes);
        _salt = salt.ToArray();
    }

    public int IcvLength => AesGmacIntegrity.IvBytes + AesGmacIntegrity.TagBytes;
    public int IvLength => AesGmacIntegrity.IvBytes;

    /// <summary>icv[..8] holds the IV on entry; the tag is written to icv[8..24].</summary>
    public void Compute(ReadOnlySpan<byte> data, Span<byte> icv)
    {
        Span<byte> nonce = stackalloc byte[12];
        _salt.CopyTo(nonce);
        icv[..AesGmacIntegrity.IvBytes].CopyTo(nonce[4..]);
        _gcm.Encrypt(nonce, ReadOnlySpan<byte>.Empty, Span<byte>.Empty, icv.Slice(AesGmacIntegrity.IvBytes, AesGmacIntegrity.TagBytes), data);
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> icv)
    {
        if (icv.Length != IcvLength)
            return false;
        Span<byte> expected = stackalloc byte[AesGmacIntegrity.IvBytes + AesGmacIntegrity.TagBytes];
        icv[..AesGmacIntegrity.IvBytes].CopyTo(expected);
        Compute(data, expected);
        return CryptographicOperations.FixedTimeEquals(expected, icv);
    }

    public void Dispose()
    {
        _gcm.Dispose();
        CryptographicOperations.ZeroMemory(_salt);
    }
}

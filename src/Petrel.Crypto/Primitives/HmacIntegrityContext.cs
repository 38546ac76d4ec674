using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// A keyed HMAC. <see cref="IncrementalHash"/> keeps the keyed inner/outer state, so each packet
/// costs two hash passes and no allocation. Not thread-safe.
/// </summary>
internal sealed class HmacIntegrityContext : IIntegrityContext
{
    private readonly IncrementalHash _hmac;
    private readonly int _outBytes;

    public HmacIntegrityContext(HashKind hash, ReadOnlySpan<byte> key, int icvBytes)
    {
        _hmac = IncrementalHash.CreateHMAC(HashKindInfo.Name(hash), key);
        _outBytes = HashKindInfo.OutputBytes(hash);
        IcvLength = icvBytes;
    }

    public int IcvLength { get; }

    public void Compute(ReadOnlySpan<byte> data, Span<byte> icv)
    {
        Span<byte> full = stackalloc byte[64];
        _hmac.AppendData(data);
        _hmac.GetHashAndReset(full[.._outBytes]);
        full[..IcvLength].CopyTo(icv);
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> icv)
    {
        if (icv.Length != IcvLength)
            return false;
        Span<byte> full = stackalloc byte[64];
        _hmac.AppendData(data);
        _hmac.GetHashAndReset(full[.._outBytes]);
        return CryptographicOperations.FixedTimeEquals(full[..IcvLength], icv);
    }

    public void Dispose() => _hmac.Dispose();
}

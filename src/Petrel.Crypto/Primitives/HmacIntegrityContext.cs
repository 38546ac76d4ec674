using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// A keyed HMAC. <see cref="IncrementalHash"/> keeps the keyed inner/outer state, so each packet
/// costs two hash passes and no allocation. Not thread-safe.
/// </summary>
internal sealed class HmacIntegrityContext : TruncatedMacContext
{
    private readonly IncrementalHash _hmac;

    public HmacIntegrityContext(HashKind hash, ReadOnlySpan<byte> key, int icvBytes)
        : base(icvBytes)
    {
        _hmac = IncrementalHash.CreateHMAC(HashKindInfo.Name(hash), key);
    }

    protected override void Mac(ReadOnlySpan<byte> data, Span<byte> full)
    {
        _hmac.AppendData(data);
        _hmac.GetHashAndReset(full[.._hmac.HashLengthInBytes]);
    }

    public override void Dispose() => _hmac.Dispose();
}

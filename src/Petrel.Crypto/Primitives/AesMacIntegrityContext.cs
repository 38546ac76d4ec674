namespace Petrel.Crypto.Primitives;

/// <summary>A keyed AES-XCBC-96 or AES-CMAC-96. Not thread-safe.</summary>
internal sealed class AesMacIntegrityContext : TruncatedMacContext
{
    private readonly AesXcbcMac? _xcbc;
    private readonly AesCmacMac? _cmac;

    public AesMacIntegrityContext(AesMacKind kind, ReadOnlySpan<byte> key)
        : base(12)
    {
        if (kind == AesMacKind.Xcbc) _xcbc = new AesXcbcMac(key);
        else _cmac = new AesCmacMac(key);
    }

    protected override void Mac(ReadOnlySpan<byte> data, Span<byte> full)
    {
        if (_xcbc is not null) _xcbc.Compute(data, full[..16]);
        else _cmac!.Compute(data, full[..16]);
    }

    public override void Dispose()
    {
        _xcbc?.Dispose();
        _cmac?.Dispose();
    }
}

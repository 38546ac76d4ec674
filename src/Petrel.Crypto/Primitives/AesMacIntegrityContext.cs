using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>A keyed AES-XCBC-96 or AES-CMAC-96. Not thread-safe.</summary>
internal sealed class AesMacIntegrityContext : IIntegrityContext
{
    private readonly AesXcbcMac? _xcbc;
    private readonly AesCmacMac? _cmac;

    public AesMacIntegrityContext(AesMacKind kind, ReadOnlySpan<byte> key)
    {
        if (kind == AesMacKind.Xcbc) _xcbc = new AesXcbcMac(key);
        else _cmac = new AesCmacMac(key);
    }

    public int IcvLength => 12;

    public void Compute(ReadOnlySpan<byte> data, Span<byte> icv)
    {
        Span<byte> full = stackalloc byte[16];
        Mac(data, full);
        full[..12].CopyTo(icv);
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> icv)
    {
        if (icv.Length != 12)
            return false;
        Span<byte> full = stackalloc byte[16];
        Mac(data, full);
        return CryptographicOperations.FixedTimeEquals(full[..12], icv);
    }

    private void Mac(ReadOnlySpan<byte> data, Span<byte> full)
    {
        if (_xcbc is not null) _xcbc.Compute(data, full);
        else _cmac!.Compute(data, full);
    }

    public void Dispose()
    {
        _xcbc?.Dispose();
        _cmac?.Dispose();
    }
}

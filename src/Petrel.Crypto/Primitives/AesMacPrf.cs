using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// PRF_AES128_XCBC (RFC 4434) and PRF_AES128_CMAC (RFC 4615). Both take a key of any length:
/// exactly 16 bytes is used as is; otherwise XCBC pads a shorter key with zeros and reduces a longer
/// one to MAC(0^16, key), while CMAC reduces any other length to MAC(0^16, key). Output 16 bytes.
/// </summary>
public sealed class AesMacPrf(AesMacKind kind) : PrfAlgorithm
{
    public AesMacKind Kind { get; } = kind;
    public override int OutputLength => 16;
    public override int KeyLength => 16;

    public override void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (output.Length != 16)
            throw new ArgumentException("PRF output must be 16 bytes", nameof(output));
        Span<byte> k = stackalloc byte[16];
        k.Clear();
        // RFC 4434 §2 (XCBC) pads a short key with zeros; RFC 4615 §3 (CMAC) instead derives every key
        // that is not exactly 16 bytes as AES-CMAC(0^128, key).
        if (key.Length == 16 || (key.Length < 16 && Kind == AesMacKind.Xcbc))
        {
            key.CopyTo(k);
        }
        else
        {
            Span<byte> zero = stackalloc byte[16];
            zero.Clear();
            Mac(zero, key, k);
        }
        Mac(k, data, output);
        CryptographicOperations.ZeroMemory(k);
    }

    private void Mac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (Kind == AesMacKind.Xcbc)
        {
            using var mac = new AesXcbcMac(key);
            mac.Compute(data, output);
        }
        else
        {
            using var mac = new AesCmacMac(key);
            mac.Compute(data, output);
        }
    }
}

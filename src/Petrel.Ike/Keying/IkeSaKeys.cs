using System.Security.Cryptography;

namespace Petrel.Ike.Keying;

/// <summary>
/// The keys of an IKE SA (RFC 7296 §2.14), in prf+ order:
/// {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}. Dispose zeroes them.
/// </summary>
public sealed class IkeSaKeys(byte[] skD, byte[] skAi, byte[] skAr, byte[] skEi, byte[] skEr, byte[] skPi, byte[] skPr) : IDisposable
{
    public byte[] SkD { get; } = skD;
    public byte[] SkAi { get; } = skAi;
    public byte[] SkAr { get; } = skAr;
    public byte[] SkEi { get; } = skEi;
    public byte[] SkEr { get; } = skEr;
    public byte[] SkPi { get; } = skPi;
    public byte[] SkPr { get; } = skPr;

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(SkD);
        CryptographicOperations.ZeroMemory(SkAi);
        CryptographicOperations.ZeroMemory(SkAr);
        CryptographicOperations.ZeroMemory(SkEi);
        CryptographicOperations.ZeroMemory(SkEr);
        CryptographicOperations.ZeroMemory(SkPi);
        CryptographicOperations.ZeroMemory(SkPr);
    }
}

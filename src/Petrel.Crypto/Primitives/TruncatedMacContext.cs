using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// An integrity context whose ICV is the first <see cref="IcvLength"/> bytes of a full MAC (HMAC-SHA2-256-128
/// and the like, RFC 4868 §2.3; AES-XCBC-96 and AES-CMAC-96): computing truncates, verifying compares in
/// constant time. Subclasses produce the full MAC, at most <see cref="MaxMacBytes"/> bytes.
/// </summary>
internal abstract class TruncatedMacContext(int icvBytes) : IIntegrityContext
{
    /// <summary>The longest full MAC (HMAC-SHA-512).</summary>
    protected const int MaxMacBytes = 64;

    public int IcvLength { get; } = icvBytes;

    /// <summary>Writes the full MAC of <paramref name="data"/> to the start of <paramref name="full"/> (<see cref="MaxMacBytes"/> long).</summary>
    protected abstract void Mac(ReadOnlySpan<byte> data, Span<byte> full);

    public void Compute(ReadOnlySpan<byte> data, Span<byte> icv)
    {
        Span<byte> full = stackalloc byte[MaxMacBytes];
        Mac(data, full);
        full[..IcvLength].CopyTo(icv);
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> icv)
    {
        if (icv.Length != IcvLength)
            return false;
        Span<byte> full = stackalloc byte[MaxMacBytes];
        Mac(data, full);
        return CryptographicOperations.FixedTimeEquals(full[..IcvLength], icv);
    }

    public abstract void Dispose();
}

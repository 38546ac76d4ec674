using Org.BouncyCastle.X509;

namespace Petrel.Ike.Certificates;

/// <summary>The outcome of chain validation: the chain from the end entity up to its trust anchor, or why not.</summary>
public sealed record ChainValidationResult(bool Ok, string Reason, IReadOnlyList<X509Certificate> Chain)
{
    public static ChainValidationResult Fail(string reason, IReadOnlyList<X509Certificate> partial) => new(false, reason, partial);
}

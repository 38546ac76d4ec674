namespace Petrel.Ike.Certificates;

/// <summary>The revocation status of one certificate and the detail for the log (which CRL revoked it, why no CRL is current).</summary>
public sealed record RevocationResult(RevocationStatus Status, string Detail)
{
    public static readonly RevocationResult Pending = new(RevocationStatus.Pending, "");
}

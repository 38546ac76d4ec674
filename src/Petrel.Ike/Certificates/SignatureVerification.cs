namespace Petrel.Ike.Certificates;

/// <summary>Whether a peer's AUTH signature verified, and if not, a one-line reason for the log.</summary>
public readonly record struct SignatureVerification(bool Ok, string Reason)
{
    public static SignatureVerification Success { get; } = new(true, "");
    public static SignatureVerification Fail(string reason) => new(false, reason);
}

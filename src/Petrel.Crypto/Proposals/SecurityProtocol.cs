namespace Petrel.Crypto.Proposals;

/// <summary>Protocol ID of a proposal (RFC 7296 §3.3.1).</summary>
public enum SecurityProtocol : byte
{
    Ike = 1,
    Ah = 2,
    Esp = 3,
}

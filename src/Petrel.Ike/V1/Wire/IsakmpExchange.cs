namespace Petrel.Ike.V1.Wire;

/// <summary>ISAKMP exchange types (RFC 2408 §3.1, RFC 2409 §5, §5.5).</summary>
public enum IsakmpExchange : byte
{
    Base = 1,
    /// <summary>Main Mode.</summary>
    IdentityProtection = 2,
    AuthenticationOnly = 3,
    Aggressive = 4,
    Informational = 5,
    /// <summary>Mode Config / XAuth (draft-ietf-ipsec-isakmp-mode-cfg).</summary>
    Transaction = 6,
    QuickMode = 32,
    NewGroupMode = 33,
}

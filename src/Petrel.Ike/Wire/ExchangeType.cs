namespace Petrel.Ike.Wire;

/// <summary>IKEv2 exchange types (RFC 7296 §3.1, IANA "IKEv2 Exchange Types").</summary>
public enum ExchangeType : byte
{
    IkeSaInit = 34,
    IkeAuth = 35,
    CreateChildSa = 36,
    Informational = 37,
    /// <summary>RFC 5723.</summary>
    IkeSessionResume = 38,
    /// <summary>RFC 9242.</summary>
    IkeIntermediate = 43,
    /// <summary>RFC 9370.</summary>
    IkeFollowupKe = 44,
}

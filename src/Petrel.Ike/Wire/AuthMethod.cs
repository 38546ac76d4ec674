namespace Petrel.Ike.Wire;

/// <summary>Authentication methods of the AUTH payload (RFC 7296 §3.8, IANA "IKEv2 Authentication Method").</summary>
public enum AuthMethod : byte
{
    RsaDigitalSignature = 1,
    SharedKeyMessageIntegrityCode = 2,
    DssDigitalSignature = 3,
    /// <summary>RFC 4754.</summary>
    EcdsaSha256P256 = 9,
    EcdsaSha384P384 = 10,
    EcdsaSha512P521 = 11,
    /// <summary>RFC 6467.</summary>
    GenericSecurePassword = 12,
    /// <summary>RFC 7619.</summary>
    NullAuthentication = 13,
    /// <summary>RFC 7427.</summary>
    DigitalSignature = 14,
}

namespace Petrel.Ike.Wire;

/// <summary>IKEv2 payload types (RFC 7296 §3.2, IANA "IKEv2 Payload Types").</summary>
public enum PayloadType : byte
{
    None = 0,
    SecurityAssociation = 33,
    KeyExchange = 34,
    IdentificationInitiator = 35,
    IdentificationResponder = 36,
    Certificate = 37,
    CertificateRequest = 38,
    Authentication = 39,
    Nonce = 40,
    Notify = 41,
    Delete = 42,
    VendorId = 43,
    TrafficSelectorInitiator = 44,
    TrafficSelectorResponder = 45,
    Encrypted = 46,
    Configuration = 47,
    Eap = 48,
    /// <summary>RFC 6467.</summary>
    GenericSecurePassword = 49,
    /// <summary>RFC 7383 Encrypted and Authenticated Fragment (SKF).</summary>
    EncryptedFragment = 53,
    /// <summary>RFC 8019 puzzle solution.</summary>
    PuzzleSolution = 54,
}

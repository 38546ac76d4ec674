namespace Petrel.Ike.V1.Wire;

/// <summary>ISAKMP next-payload values (RFC 2408 §3.1, RFC 3947 §3, strongSwan's fragment payload).</summary>
public enum IsakmpPayloadType : byte
{
    None = 0,
    SecurityAssociation = 1,
    Proposal = 2,
    Transform = 3,
    KeyExchange = 4,
    Identification = 5,
    Certificate = 6,
    CertificateRequest = 7,
    Hash = 8,
    Signature = 9,
    Nonce = 10,
    Notification = 11,
    Delete = 12,
    VendorId = 13,
    Attribute = 14,
    /// <summary>RFC 3947 NAT-D and NAT-OA.</summary>
    NatD = 20,
    NatOa = 21,
    /// <summary>draft-ietf-ipsec-nat-t-ike-02/03 numbers, still sent by old peers.</summary>
    NatDDraft = 130,
    NatOaDraft = 131,
    /// <summary>IKEv1 fragmentation (Cisco's format, as strongSwan implements it).</summary>
    Fragment = 132,
}

namespace Petrel.Ike.Wire;

/// <summary>Identification types (RFC 7296 §3.5, IANA "IKEv2 Identification Payload ID Types").</summary>
public enum IdType : byte
{
    /// <summary>Not a wire value: strongSwan's %any.</summary>
    Any = 0,
    Ipv4Address = 1,
    Fqdn = 2,
    Rfc822Address = 3,
    Ipv6Address = 5,
    DerAsn1Dn = 9,
    DerAsn1Gn = 10,
    KeyId = 11,
    /// <summary>RFC 4595.</summary>
    FcName = 12,
    /// <summary>RFC 7619.</summary>
    Null = 13,
}

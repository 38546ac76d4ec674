namespace Petrel.Ike.V1.Wire;

/// <summary>strongSwan's short payload names for message summaries ("SA V V V", "ID HASH", "HASH SA No KE ID ID").</summary>
public static class PayloadNames
{
    public static string Short(IsakmpPayloadType type) => type switch
    {
        IsakmpPayloadType.SecurityAssociation => "SA",
        IsakmpPayloadType.KeyExchange => "KE",
        IsakmpPayloadType.Identification => "ID",
        IsakmpPayloadType.Certificate => "CERT",
        IsakmpPayloadType.CertificateRequest => "CERTREQ",
        IsakmpPayloadType.Hash => "HASH",
        IsakmpPayloadType.Signature => "SIG",
        IsakmpPayloadType.Nonce => "No",
        IsakmpPayloadType.Notification => "N",
        IsakmpPayloadType.Delete => "D",
        IsakmpPayloadType.VendorId => "V",
        IsakmpPayloadType.Attribute => "CPRQ",
        IsakmpPayloadType.NatD or IsakmpPayloadType.NatDDraft => "NAT-D",
        IsakmpPayloadType.NatOa or IsakmpPayloadType.NatOaDraft => "NAT-OA",
        IsakmpPayloadType.Fragment => "FRAG",
        _ => ((byte)type).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

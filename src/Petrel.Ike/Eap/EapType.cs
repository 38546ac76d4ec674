namespace Petrel.Ike.Eap;

/// <summary>RFC 3748 §5 and the IANA registry: the Type field of EAP requests and responses.</summary>
public enum EapType : byte
{
    None = 0,
    Identity = 1,
    Notification = 2,
    /// <summary>Legacy Nak, responses only: the peer names the types it would rather use (§5.3.1).</summary>
    Nak = 3,
    Md5Challenge = 4,
    Tls = 13,
    MsChapV2 = 26,
    Expanded = 254,
}

/// <summary>Names as strongSwan's logs and swanctl's auth keywords spell them.</summary>
public static class EapTypeNames
{
    public static string Of(EapType type) => type switch
    {
        EapType.Identity => "EAP-Identity",
        EapType.Notification => "EAP-Notification",
        EapType.Nak => "EAP-Nak",
        EapType.Md5Challenge => "EAP-MD5",
        EapType.Tls => "EAP-TLS",
        EapType.MsChapV2 => "EAP-MSCHAPv2",
        _ => $"EAP type {(byte)type}",
    };

    /// <summary>The method an <c>auth = eap-…</c> keyword names: md5, mschapv2, tls; null for another word.</summary>
    public static EapType? FromKeyword(string keyword) => keyword.ToLowerInvariant() switch
    {
        "md5" => EapType.Md5Challenge,
        "mschapv2" => EapType.MsChapV2,
        "tls" => EapType.Tls,
        _ => null,
    };
}

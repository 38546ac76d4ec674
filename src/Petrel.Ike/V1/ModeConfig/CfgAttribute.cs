namespace Petrel.Ike.V1.ModeConfig;

/// <summary>
/// Attribute types of the Attribute payload: Mode Config (draft-dukes-ike-mode-cfg §3.2, the IKEv2 numbers of
/// RFC 7296 §3.15.1 for the common ones) and XAuth (draft-ietf-ipsec-isakmp-xauth-06 §6.3).
/// </summary>
public static class CfgAttribute
{
    public const ushort InternalIp4Address = 1;
    public const ushort InternalIp4Netmask = 2;
    public const ushort InternalIp4Dns = 3;
    public const ushort InternalIp4Nbns = 4;
    public const ushort InternalIp6Address = 8;
    public const ushort InternalIp6Dns = 10;

    public const ushort XAuthType = 16520;
    public const ushort XAuthUserName = 16521;
    public const ushort XAuthUserPassword = 16522;
    public const ushort XAuthPasscode = 16523;
    public const ushort XAuthMessage = 16524;
    public const ushort XAuthChallenge = 16525;
    public const ushort XAuthDomain = 16526;
    public const ushort XAuthStatus = 16527;
    public const ushort XAuthNextPin = 16528;
    public const ushort XAuthAnswer = 16529;

    /// <summary>XAUTH_TYPE value 0: generic username/password.</summary>
    public const ushort XAuthTypeGeneric = 0;
    /// <summary>XAUTH_STATUS values (§6.3): FAIL 0, OK 1.</summary>
    public const ushort StatusFail = 0, StatusOk = 1;

    /// <summary>XAUTH_TYPE and XAUTH_STATUS are basic (TV) attributes; the others are variable length (TLV).</summary>
    public static bool IsBasic(ushort type) => type is XAuthType or XAuthStatus;
}

internal static class CfgNames
{
    public static string Type(CfgType t) => t switch
    {
        CfgType.Request => "CFG_REQUEST",
        CfgType.Reply => "CFG_REPLY",
        CfgType.Set => "CFG_SET",
        CfgType.Ack => "CFG_ACK",
        _ => $"CFG_{(byte)t}",
    };

    public static string Attribute(ushort type) => type switch
    {
        CfgAttribute.InternalIp4Address => "ADDR4",
        CfgAttribute.InternalIp4Netmask => "MASK4",
        CfgAttribute.InternalIp4Dns => "DNS4",
        CfgAttribute.InternalIp4Nbns => "NBNS4",
        CfgAttribute.InternalIp6Address => "ADDR6",
        CfgAttribute.InternalIp6Dns => "DNS6",
        CfgAttribute.XAuthType => "X_TYPE",
        CfgAttribute.XAuthUserName => "X_USER",
        CfgAttribute.XAuthUserPassword => "X_PWD",
        CfgAttribute.XAuthMessage => "X_MSG",
        CfgAttribute.XAuthStatus => "X_STATUS",
        _ => type.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

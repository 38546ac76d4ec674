namespace Petrel.Ike.Radius;

/// <summary>The RADIUS attributes Petrel sends or reads (RFC 2865 §5, RFC 2866 §5, RFC 2869 §5, RFC 3579 §3).</summary>
public static class RadiusAttributeType
{
    public const byte UserName = 1, UserPassword = 2, NasIpAddress = 4, NasPort = 5, ServiceType = 6, FramedProtocol = 7,
        FramedIpAddress = 8, ReplyMessage = 18, State = 24, Class = 25, VendorSpecific = 26, SessionTimeout = 27,
        CalledStationId = 30, CallingStationId = 31, NasIdentifier = 32,
        AcctStatusType = 40, AcctDelayTime = 41, AcctInputOctets = 42, AcctOutputOctets = 43, AcctSessionId = 44,
        AcctSessionTime = 46, AcctInputPackets = 47, AcctOutputPackets = 48, AcctTerminateCause = 49,
        AcctInputGigawords = 52, AcctOutputGigawords = 53, EventTimestamp = 55, NasPortType = 61,
        AcctInterimInterval = 85, EapMessage = 79, MessageAuthenticator = 80, NasIpv6Address = 95, FramedIpv6Prefix = 97,
        ErrorCause = 101, FramedIpv6Address = 168;

    /// <summary>Error-Cause values (RFC 5176 §3.6).</summary>
    public const uint ErrorMissingAttribute = 402, ErrorSessionContextNotFound = 503;

    /// <summary>Microsoft's vendor id and its MPPE key attributes inside Vendor-Specific (RFC 2548 §2.4.2, §2.4.3).</summary>
    public const uint MicrosoftVendorId = 311;
    public const byte MsMppeSendKey = 16, MsMppeRecvKey = 17;

    /// <summary>MS-Primary-DNS-Server / MS-Secondary-DNS-Server (RFC 2548 §2.6.1, §2.6.2), IPv4 addresses.</summary>
    public const byte MsPrimaryDnsServer = 28, MsSecondaryDnsServer = 29;
}

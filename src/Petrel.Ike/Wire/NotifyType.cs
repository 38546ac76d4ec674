namespace Petrel.Ike.Wire;

/// <summary>
/// Notify message types (RFC 7296 §3.10.1 and IANA "IKEv2 Notify Message Types").
/// Values below 16384 are errors, 16384 and above are status notifications.
/// </summary>
public enum NotifyType : ushort
{
    // --- Error types (RFC 7296 §3.10.1 unless noted) ---
    UnsupportedCriticalPayload = 1,
    InvalidIkeSpi = 4,
    InvalidMajorVersion = 5,
    InvalidSyntax = 7,
    InvalidMessageId = 9,
    InvalidSpi = 11,
    NoProposalChosen = 14,
    InvalidKePayload = 17,
    AuthenticationFailed = 24,
    SinglePairRequired = 34,
    NoAdditionalSas = 35,
    InternalAddressFailure = 36,
    FailedCpRequired = 37,
    TsUnacceptable = 38,
    InvalidSelectors = 39,
    /// <summary>RFC 4555.</summary>
    UnacceptableAddresses = 40,
    /// <summary>RFC 4555.</summary>
    UnexpectedNatDetected = 41,
    /// <summary>RFC 5026.</summary>
    UseAssignedHoA = 42,
    TemporaryFailure = 43,
    ChildSaNotFound = 44,
    /// <summary>RFC 6407.</summary>
    InvalidGroupId = 45,
    /// <summary>RFC 6407.</summary>
    AuthorizationFailed = 46,
    /// <summary>RFC 9370.</summary>
    StateNotFound = 47,

    // --- Status types ---
    InitialContact = 16384,
    SetWindowSize = 16385,
    AdditionalTsPossible = 16386,
    IpcompSupported = 16387,
    NatDetectionSourceIp = 16388,
    NatDetectionDestinationIp = 16389,
    Cookie = 16390,
    UseTransportMode = 16391,
    HttpCertLookupSupported = 16392,
    RekeySa = 16393,
    EspTfcPaddingNotSupported = 16394,
    NonFirstFragmentsAlso = 16395,
    /// <summary>RFC 4555 (MOBIKE) 16396-16402.</summary>
    MobikeSupported = 16396,
    AdditionalIp4Address = 16397,
    AdditionalIp6Address = 16398,
    NoAdditionalAddresses = 16399,
    UpdateSaAddresses = 16400,
    Cookie2 = 16401,
    NoNatsAllowed = 16402,
    /// <summary>RFC 4478.</summary>
    AuthLifetime = 16403,
    /// <summary>RFC 4739.</summary>
    MultipleAuthSupported = 16404,
    AnotherAuthFollows = 16405,
    /// <summary>RFC 5685.</summary>
    RedirectSupported = 16406,
    Redirect = 16407,
    RedirectedFrom = 16408,
    /// <summary>RFC 5723.</summary>
    TicketLtOpaque = 16409,
    TicketRequest = 16410,
    TicketAck = 16411,
    TicketNack = 16412,
    TicketOpaque = 16413,
    LinkId = 16414,
    UseWespMode = 16415,
    RohcSupported = 16416,
    /// <summary>RFC 5998.</summary>
    EapOnlyAuthentication = 16417,
    /// <summary>RFC 6023.</summary>
    ChildlessIkev2Supported = 16418,
    QuickCrashDetection = 16419,
    /// <summary>RFC 6311.</summary>
    Ikev2MessageIdSyncSupported = 16420,
    IpsecReplayCounterSyncSupported = 16421,
    Ikev2MessageIdSync = 16422,
    IpsecReplayCounterSync = 16423,
    SecurePasswordMethods = 16424,
    PskPersist = 16425,
    PskConfirm = 16426,
    ErxSupported = 16427,
    IfomCapability = 16428,
    SenderRequestId = 16429,
    /// <summary>RFC 7383.</summary>
    Ikev2FragmentationSupported = 16430,
    /// <summary>RFC 7427.</summary>
    SignatureHashAlgorithms = 16431,
    CloneIkeSaSupported = 16432,
    CloneIkeSa = 16433,
    /// <summary>RFC 8019.</summary>
    Puzzle = 16434,
    /// <summary>RFC 8784.</summary>
    UsePpk = 16435,
    PpkIdentity = 16436,
    NoPpkAuth = 16437,
    /// <summary>RFC 9242.</summary>
    IntermediateExchangeSupported = 16438,
    /// <summary>RFC 8983.</summary>
    Ip4Allowed = 16439,
    Ip6Allowed = 16440,
    /// <summary>RFC 9370.</summary>
    AdditionalKeyExchange = 16441,
    /// <summary>RFC 9347.</summary>
    UseAggfrag = 16442,
    SupportedAuthMethods = 16443,
}

namespace Petrel.Ike.V1.Wire;

/// <summary>Phase 1 attribute classes (RFC 2409 Appendix A).</summary>
public static class Phase1Attribute
{
    public const ushort EncryptionAlgorithm = 1;
    public const ushort HashAlgorithm = 2;
    public const ushort AuthenticationMethod = 3;
    public const ushort GroupDescription = 4;
    public const ushort GroupType = 5;
    public const ushort LifeType = 11;
    public const ushort LifeDuration = 12;
    public const ushort Prf = 13;
    public const ushort KeyLength = 14;
}

/// <summary>Phase 2 (IPsec DOI) attribute classes (RFC 2407 §4.5).</summary>
public static class Phase2Attribute
{
    public const ushort LifeType = 1;
    public const ushort LifeDuration = 2;
    public const ushort GroupDescription = 3;
    public const ushort EncapsulationMode = 4;
    public const ushort AuthenticationAlgorithm = 5;
    public const ushort KeyLength = 6;
    public const ushort KeyRounds = 7;
    public const ushort CompressDictionarySize = 8;
    public const ushort CompressPrivateAlgorithm = 9;
    public const ushort ExtendedSequenceNumber = 11;
}

/// <summary>Life Type values (RFC 2409 App. A, RFC 2407 §4.5).</summary>
public static class LifeType
{
    public const ushort Seconds = 1;
    public const ushort Kilobytes = 2;
}

/// <summary>Encapsulation Mode values: RFC 2407 §4.5, RFC 3947 §5, and the draft values strongSwan also accepts.</summary>
public static class EncapsulationMode
{
    public const ushort Tunnel = 1;
    public const ushort Transport = 2;
    public const ushort UdpTunnel = 3;
    public const ushort UdpTransport = 4;
    public const ushort UdpTunnelDraft = 61443;
    public const ushort UdpTransportDraft = 61444;

    public static bool IsUdp(ushort mode) => mode is UdpTunnel or UdpTransport or UdpTunnelDraft or UdpTransportDraft;

    public static bool IsTransport(ushort mode) => mode is Transport or UdpTransport or UdpTransportDraft;
}

/// <summary>Phase 1 Authentication Method values (RFC 2409 App. A, RFC 4754 §5).</summary>
public enum V1AuthMethod : ushort
{
    PreSharedKey = 1,
    DssSignature = 2,
    RsaSignature = 3,
    RsaEncryption = 4,
    RsaRevisedEncryption = 5,
    EcdsaSha256 = 9,
    EcdsaSha384 = 10,
    EcdsaSha512 = 11,
    XauthInitPsk = 65001,
    XauthRespPsk = 65002,
    XauthInitRsa = 65005,
    XauthRespRsa = 65006,
}

/// <summary>ISAKMP/IPsec DOI protocol ids (RFC 2407 §4.4.1).</summary>
public static class V1Protocol
{
    public const byte Isakmp = 1;
    public const byte Ah = 2;
    public const byte Esp = 3;
    public const byte IpComp = 4;
}

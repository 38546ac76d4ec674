namespace Petrel.Ike.Tests.Wire;

/// <summary>
/// Payloads written byte by byte from the RFC 7296 §3 layouts (generic header | body), each with the
/// payload type that heads the chain. Shared by the round-trip and the malformed-input tests.
/// </summary>
internal static class PayloadVectors
{
    // §3.3: an IKE proposal (AES-CBC-256, PRF-HMAC-SHA2-256, HMAC-SHA2-256-128, ECP-256) and an ESP
    // proposal with a 4-byte SPI (AES-GCM-16-128, no ESN).
    public const string SecurityAssociation =
        "00 00 0050" +
        "02 00 002c | 01 01 00 04" +
        "  03 00 000c | 01 00 000c | 800e 0100" +
        "  03 00 0008 | 02 00 0005" +
        "  03 00 0008 | 03 00 000c" +
        "  00 00 0008 | 04 00 0013" +
        "00 00 0020 | 02 03 04 02 | c0ffee01" +
        "  03 00 000c | 01 00 0014 | 800e 0080" +
        "  00 00 0008 | 05 00 0000";

    public const string KeyExchange = "00 00 0010 | 0013 0000 | 0102030405060708";

    public const string Nonce = "00 00 0018 | 000102030405060708090a0b0c0d0e0f10111213";

    public const string IdInitiatorIpv4 = "00 00 000c | 01 000000 | c0a80102";

    public const string IdResponderFqdn = "00 00 001b | 02 000000 | 6d6f6f6e2e7374726f6e677377616e2e6f7267";

    public const string Authentication = "00 00 0028 | 02 000000 | 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    public const string NotifyNatSource = "00 00 001c | 00 00 4004 | a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3";

    public const string NotifyRekeySa = "00 00 000c | 03 04 4009 | c0ffee01";

    public const string NotifyInvalidKe = "00 00 000a | 00 00 0011 | 0013";

    public const string DeleteEsp = "00 00 0010 | 03 04 0002 | c0ffee01 c0ffee02";

    public const string DeleteIke = "00 00 0008 | 01 00 0000";

    // §3.13.1: 192.168.1.0-192.168.1.255 any protocol/port, and 2001:db8::/64 TCP port 80.
    public const string TrafficSelectorInitiator =
        "00 00 0040 | 02 000000" +
        "07 00 0010 | 0000 ffff | c0a80100 | c0a801ff" +
        "08 06 0028 | 0050 0050 | 20010db8000000000000000000000000 | 20010db800000000ffffffffffffffff";

    public const string VendorId = "00 00 0014 | 882fe56d6fd20dbc2251613b2ebe5beb";

    public const string Certificate = "00 00 000d | 04 | 3006020101020105";

    public const string CertificateRequest = "00 00 0019 | 04 | 00112233445566778899aabbccddeeff00112233";

    public const string ConfigurationRequest = "00 00 0014 | 01 000000 | 0001 0000 | 0003 0000 | 0008 0000";

    public const string ConfigurationReply = "00 00 0010 | 02 000000 | 0001 0004 0a000001";

    public const string Eap = "00 00 000d | 02 05 0009 01 75736572";

    public const string UnknownCritical = "00 80 0008 | deadbeef";

    public const string UnknownNotCritical = "00 00 0008 | deadbeef";

    /// <summary>(name, payload type byte, hex) for every vector above.</summary>
    public static TheoryData<string, byte, string> All => new()
    {
        { "SA", 33, SecurityAssociation },
        { "KE", 34, KeyExchange },
        { "IDi", 35, IdInitiatorIpv4 },
        { "IDr", 36, IdResponderFqdn },
        { "CERT", 37, Certificate },
        { "CERTREQ", 38, CertificateRequest },
        { "AUTH", 39, Authentication },
        { "Nonce", 40, Nonce },
        { "N(NAT_DETECTION_SOURCE_IP)", 41, NotifyNatSource },
        { "N(REKEY_SA)", 41, NotifyRekeySa },
        { "N(INVALID_KE_PAYLOAD)", 41, NotifyInvalidKe },
        { "D(ESP)", 42, DeleteEsp },
        { "D(IKE)", 42, DeleteIke },
        { "VID", 43, VendorId },
        { "TSi", 44, TrafficSelectorInitiator },
        { "TSr", 45, TrafficSelectorInitiator },
        { "CP(REQUEST)", 47, ConfigurationRequest },
        { "CP(REPLY)", 47, ConfigurationReply },
        { "EAP", 48, Eap },
        { "unknown critical", 200, UnknownCritical },
        { "unknown", 201, UnknownNotCritical },
    };
}

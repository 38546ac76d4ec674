namespace Petrel.Ike.V1.Wire;

/// <summary>The vendor IDs Petrel sends and recognises (the ones strongSwan 5.9 exchanges).</summary>
public static class VendorIds
{
    /// <summary>RFC 3947: MD5("RFC 3947").</summary>
    public static readonly byte[] NatTRfc = Convert.FromHexString("4a131c81070358455c5728f20e95452f");
    /// <summary>draft-ietf-ipsec-nat-t-ike-02\n and -03: accepted, with the draft payload numbers.</summary>
    public static readonly byte[] NatTDraft02N = Convert.FromHexString("90cb80913ebb696e086381b5ec427b1f");
    public static readonly byte[] NatTDraft03 = Convert.FromHexString("7d9419a65310ca6f2c179d9215529d56");
    /// <summary>RFC 3706 §5: DPD.</summary>
    public static readonly byte[] Dpd = Convert.FromHexString("afcad71368a1f1c96b8696fc77570100");
    /// <summary>Cisco's IKE fragmentation vendor ID (16 octets; Windows sends it bare).</summary>
    public static readonly byte[] Fragmentation = Convert.FromHexString("4048b7d56ebce88525e7de7f00d6c2d3");
    /// <summary>What strongSwan sends: the fragmentation ID with capabilities 0x80000000 (fragments Main and Aggressive Mode).</summary>
    public static readonly byte[] FragmentationWithCapabilities = Convert.FromHexString("4048b7d56ebce88525e7de7f00d6c2d380000000");
    /// <summary>draft-beaulieu-ike-xauth-02.</summary>
    public static readonly byte[] Xauth = Convert.FromHexString("09002689dfd6b712");

    public static bool Is(ReadOnlySpan<byte> body, byte[] id) => body.SequenceEqual(id);

    /// <summary>The fragmentation ID bare, or with capabilities that include Main and Aggressive Mode (0x80000000), as strongSwan reads it.</summary>
    public static bool IsFragmentation(ReadOnlySpan<byte> body) =>
        body.Length >= 16 && body[..16].SequenceEqual(Fragmentation)
        && (body.Length == 16 || body.Length == 20 && (body[16] & 0x80) != 0);

    public static bool IsNatT(ReadOnlySpan<byte> body) => Is(body, NatTRfc) || Is(body, NatTDraft02N) || Is(body, NatTDraft03);
}

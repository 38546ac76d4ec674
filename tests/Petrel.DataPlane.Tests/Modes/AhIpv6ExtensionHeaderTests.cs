using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Tests.Ah;
using Petrel.DataPlane.Tests.Packets;

namespace Petrel.DataPlane.Tests.Modes;

/// <summary>
/// RFC 4302 §3.3.3.1.2: over IPv6 the ICV covers extension headers in front of AH, with the data
/// of options marked "may change en route" (RFC 8200 §4.2, the 0x20 bit of the type) zeroed, and
/// the fixed header's traffic class, flow label and hop limit zeroed.
/// </summary>
public sealed class AhIpv6ExtensionHeaderTests
{
    private const byte MutableOption = 0x3E;     // action 00, change bit set
    private const byte ImmutableOption = 0x1E;   // action 00, change bit clear

    private static byte[] Packet(ulong seq, byte mutableData, byte immutableData)
    {
        // Fixed header (next = Destination Options) ‖ Destination Options (next = AH, 8 bytes).
        var header = TestPackets.Ipv6("2001:db8:18::1", "2001:db8:18::2", 60, new byte[8]);
        header[40] = 51;                 // next header: AH
        header[41] = 0;                  // (0 + 1) × 8 bytes
        header[42] = MutableOption; header[43] = 1; header[44] = mutableData;
        header[45] = ImmutableOption; header[46] = 1; header[47] = immutableData;
        var inner = TestPackets.Ipv4Udp("10.1.0.5", "10.2.0.7", 40000, 5001, 64);
        return ReferenceAh.Build(header, 4, ModePair.Spi, seq, false, inner, ModePair.AuthKey);
    }

    [Fact]
    public void Icv_covers_immutable_options_and_skips_mutable_option_data_and_fixed_header_fields()
    {
        using var pair = new ModePair(ah: true, transport: false, outer6: true, esn: false);
        var inner = TestPackets.Ipv4Udp("10.1.0.5", "10.2.0.7", 40000, 5001, 64);

        Assert.Equal(DropReason.None, pair.DeliverAh(Packet(1, 0xAA, 0xBB)));
        Assert.Equal(inner, pair.TunB.Written[^1]);

        // A router rewrote the mutable option's data, the hop limit, traffic class and flow label.
        var rewritten = Packet(2, 0xAA, 0xBB);
        rewritten[44] = 0x55;
        rewritten[7] = 3;
        rewritten[0] = 0x6F;
        rewritten[1] = 0xF1;
        rewritten[3] = 0x99;
        Assert.Equal(DropReason.None, pair.DeliverAh(rewritten));
        Assert.Equal(2, pair.TunB.Written.Count);

        // An immutable option's data changed: the ICV no longer matches.
        var forged = Packet(3, 0xAA, 0xBB);
        forged[47] = 0xBC;
        Assert.Equal(DropReason.IntegrityFailure, pair.DeliverAh(forged));

        // The addresses are immutable too (RFC 4302 §3.3.3.1.2): what a NAT would change.
        var moved = Packet(4, 0xAA, 0xBB);
        moved[23] ^= 1;
        Assert.Equal(DropReason.IntegrityFailure, pair.DeliverAh(moved));
        Assert.Equal(2, pair.TunB.Written.Count);
    }
}

using System.Net.Sockets;
using Petrel.DataPlane.Packets;
using Petrel.DataPlane.Tests.Packets;

namespace Petrel.DataPlane.Tests.Packets;

public class IpPacketReaderTests
{
    [Fact]
    public void Reads_ipv4_udp_flow()
    {
        Assert.True(IpPacketReader.TryRead(TestPackets.Ipv4Udp("10.1.0.1", "10.2.0.3", 1234, 53), out var f));
        Assert.Equal(AddressFamily.InterNetwork, f.Family);
        Assert.Equal((UInt128)0x0A010001, f.Source);
        Assert.Equal((UInt128)0x0A020003, f.Destination);
        Assert.Equal(17, f.Protocol);
        Assert.Equal(1234, f.SourcePort);
        Assert.Equal(53, f.DestinationPort);
        Assert.True(f.PortsKnown);
    }

    [Fact]
    public void Reads_icmp_type_and_code_as_ports()
    {
        Assert.True(IpPacketReader.TryRead(TestPackets.Ipv4Icmp("10.1.0.1", "10.2.0.3"), out var f));
        Assert.Equal(1, f.Protocol);
        Assert.Equal(8 << 8, f.SourcePort);
    }

    [Fact]
    public void Non_first_ipv4_fragment_has_opaque_ports()
    {
        var p = TestPackets.Ipv4Udp("10.1.0.1", "10.2.0.3", 1234, 53);
        p[6] = 0x00;
        p[7] = 0x10; // fragment offset 16
        Assert.True(IpPacketReader.TryRead(p, out var f));
        Assert.False(f.PortsKnown);
    }

    [Fact]
    public void Reads_ipv6_udp_through_an_extension_header()
    {
        var udp = TestPackets.Ipv6Udp("2001:db8:1::1", "2001:db8:2::5", 7, 9);
        // Insert an 8-byte Destination Options header (RFC 8200 §4.6) before UDP.
        var ext = new byte[] { 17, 0, 1, 4, 0, 0, 0, 0 };
        var withExt = TestPackets.Ipv6("2001:db8:1::1", "2001:db8:2::5", 60, [.. ext, .. udp[40..]]);
        Assert.True(IpPacketReader.TryRead(withExt, out var f));
        Assert.Equal(AddressFamily.InterNetworkV6, f.Family);
        Assert.Equal(17, f.Protocol);
        Assert.Equal(7, f.SourcePort);
        Assert.Equal(9, f.DestinationPort);
        Assert.Equal(new UInt128(0x20010db800020000, 5), f.Destination); // 2001:db8:2::5
    }

    [Theory]
    [InlineData("")]
    [InlineData("45000014")]
    [InlineData("4f00001400000000400100000a0100010a020001")] // IHL 60 > packet
    [InlineData("60000000ffff1140")]                        // IPv6 header cut short
    [InlineData("1234")]                                    // version 1
    public void Rejects_malformed_packets(string hex)
    {
        Assert.False(IpPacketReader.TryRead(Convert.FromHexString(hex), out _));
    }
}

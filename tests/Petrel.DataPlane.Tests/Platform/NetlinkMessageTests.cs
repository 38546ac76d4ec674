using System.Net;
using Petrel.Platform.Net;

namespace Petrel.DataPlane.Tests.Platform;

public class NetlinkMessageTests
{
    [Fact]
    public void A_route_request_has_the_rtnetlink_layout()
    {
        var buffer = new byte[128];
        var w = new NetlinkMessageWriter(buffer, RtNetlinkProtocol.RTM_NEWROUTE, 0x0605, 0x01020304);
        var rt = w.Reserve(RtNetlinkProtocol.RouteHeaderLength);
        rt[0] = 2;
        rt[1] = 24;
        w.Address(RtNetlinkProtocol.RTA_DST, IPAddress.Parse("10.2.0.0"));
        w.UInt32(RtNetlinkProtocol.RTA_OIF, 5);
        w.UInt32(RtNetlinkProtocol.RTA_TABLE, 20549);
        int length = w.Finish();

        // nlmsghdr (host order: little-endian here), rtmsg, then 8-byte attributes: len 8, type, value.
        byte[] expected =
        [
            52, 0, 0, 0, 24, 0, 0x05, 0x06, 0x04, 0x03, 0x02, 0x01, 0, 0, 0, 0,
            2, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            8, 0, 1, 0, 10, 2, 0, 0,
            8, 0, 4, 0, 5, 0, 0, 0,
            8, 0, 15, 0, 0x45, 0x50, 0, 0,
        ];
        Assert.Equal(expected, buffer[..length]);

        var attributes = buffer.AsSpan(RtNetlinkProtocol.HeaderLength + RtNetlinkProtocol.RouteHeaderLength, length - 28);
        Assert.Equal(IPAddress.Parse("10.2.0.0"), NetlinkAttributes.Address(attributes, RtNetlinkProtocol.RTA_DST));
        Assert.Equal(5u, NetlinkAttributes.UInt32(attributes, RtNetlinkProtocol.RTA_OIF));
        Assert.Equal(20549u, NetlinkAttributes.UInt32(attributes, RtNetlinkProtocol.RTA_TABLE));
        Assert.Null(NetlinkAttributes.Address(attributes, RtNetlinkProtocol.RTA_GATEWAY));
    }

    [Fact]
    public void A_string_attribute_is_nul_terminated_and_padded()
    {
        var buffer = new byte[64];
        var w = new NetlinkMessageWriter(buffer, RtNetlinkProtocol.RTM_GETLINK, 5, 1);
        w.Reserve(RtNetlinkProtocol.LinkHeaderLength);
        w.String(RtNetlinkProtocol.IFLA_IFNAME, "petrel0");
        int length = w.Finish();
        Assert.Equal(16 + 16 + 12, length);
        Assert.Equal([12, 0, 3, 0, (byte)'p', (byte)'e', (byte)'t', (byte)'r', (byte)'e', (byte)'l', (byte)'0', 0], buffer[32..44]);
        Assert.Equal("petrel0", NetlinkAttributes.String(buffer.AsSpan(32, 12), RtNetlinkProtocol.IFLA_IFNAME));
    }

    [Theory]
    [InlineData(new byte[] { 8, 0, 4, 0, 5, 0 })]             // value cut short
    [InlineData(new byte[] { 3, 0, 4, 0, 5, 0, 0, 0 })]       // length below the header
    [InlineData(new byte[] { 200, 0, 4, 0, 5, 0, 0, 0 })]     // length past the end
    [InlineData(new byte[] { 8, 0, 1, 0, 1, 2, 3, 4, 9 })]    // a stray byte after a good attribute
    [InlineData(new byte[] { })]
    public void Malformed_attributes_end_the_walk_without_throwing(byte[] attributes)
    {
        Assert.Null(NetlinkAttributes.UInt32(attributes, RtNetlinkProtocol.RTA_OIF));
        Assert.Null(NetlinkAttributes.String(attributes, RtNetlinkProtocol.IFLA_IFNAME));
    }
}

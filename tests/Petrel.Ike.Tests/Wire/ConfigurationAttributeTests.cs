using System.Net;
using System.Net.Sockets;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Wire;

public class ConfigurationAttributeTests
{
    // RFC 7296 §3.15.3's example request: CP(CFG_REQUEST) with empty INTERNAL_IP4_ADDRESS, INTERNAL_IP4_DNS and INTERNAL_IP6_ADDRESS.
    private const string RequestBody = "01000000 00010000 00030000 00080000";
    // A reply: 10.3.0.1, DNS 10.3.0.53, 2001:db8:3::1/128, DNS 2001:db8::53.
    private const string ReplyBody = "02000000 00010004 0a030001 00030004 0a030035 00080011 20010db8000300000000000000000001 80 000a0010 20010db8000000000000000000000053";

    [Fact]
    public void Cfg_request_with_empty_attributes_round_trips()
    {
        var cp = new ConfigurationPayload(ConfigurationType.Request,
        [
            ConfigurationAttributeValues.AddressRequest(null, AddressFamily.InterNetwork),
            ConfigurationAttributeValues.Empty(ConfigurationAttribute.InternalIp4Dns),
            ConfigurationAttributeValues.AddressRequest(IPAddress.IPv6Any, AddressFamily.InterNetworkV6),
        ]);
        Assert.Equal(Hex.Parse(RequestBody), Body(cp));

        Assert.True(ConfigurationPayload.TryDecode(Hex.Parse(RequestBody), out var decoded, out _));
        Assert.Equal(ConfigurationType.Request, decoded!.ConfigurationType);
        Assert.Equal([1, 3, 8], decoded.Attributes.Select(a => (int)a.AttributeType));
        Assert.All(decoded.Attributes, a => Assert.True(a.Value.IsEmpty));
        Assert.Equal(AddressFamily.InterNetworkV6, ConfigurationAttributeValues.RequestedFamily(decoded.Attributes[2]));
        Assert.Null(ConfigurationAttributeValues.RequestedFamily(decoded.Attributes[1]));
        Assert.False(ConfigurationAttributeValues.TryReadAddress(decoded.Attributes[0], out _, out _));
    }

    [Fact]
    public void Cfg_reply_carries_ipv4_and_ipv6_addresses_and_dns()
    {
        var cp = new ConfigurationPayload(ConfigurationType.Reply,
        [
            ConfigurationAttributeValues.Address(IPAddress.Parse("10.3.0.1")),
            ConfigurationAttributeValues.Dns(IPAddress.Parse("10.3.0.53")),
            ConfigurationAttributeValues.Address(IPAddress.Parse("2001:db8:3::1")),
            ConfigurationAttributeValues.Dns(IPAddress.Parse("2001:db8::53")),
        ]);
        Assert.Equal(Hex.Parse(ReplyBody), Body(cp));

        Assert.True(ConfigurationPayload.TryDecode(Hex.Parse(ReplyBody), out var decoded, out _));
        var read = decoded!.Attributes.Select(a => ConfigurationAttributeValues.TryReadAddress(a, out var ip, out int prefix) ? $"{ip}/{prefix}" : "-").ToList();
        Assert.Equal(["10.3.0.1/32", "10.3.0.53/32", "2001:db8:3::1/128", "2001:db8::53/128"], read);
    }

    [Theory]
    [InlineData(ConfigurationAttribute.InternalIp4Address, "0a0300")]        // 3 octets
    [InlineData(ConfigurationAttribute.InternalIp6Address, "20010db8000300000000000000000001")] // prefix length missing
    [InlineData(ConfigurationAttribute.InternalIp6Address, "20010db800030000000000000000000181")] // prefix 129
    [InlineData(ConfigurationAttribute.InternalIp6Dns, "0a030035")]
    [InlineData(ConfigurationAttribute.ApplicationVersion, "0a030035")]
    public void Attribute_with_a_length_the_rfc_does_not_allow_yields_no_address(ushort type, string hex)
    {
        Assert.False(ConfigurationAttributeValues.TryReadAddress(new ConfigurationAttribute(type, Hex.Parse(hex)), out _, out _));
    }

    [Fact]
    public void Netmask_of_a_prefix_length()
    {
        Assert.Equal(Hex.Parse("ffffff00"), ConfigurationAttributeValues.Netmask(24).Value.ToArray());
        Assert.Equal(Hex.Parse("00000000"), ConfigurationAttributeValues.Netmask(0).Value.ToArray());
        Assert.Equal(Hex.Parse("ffffffff"), ConfigurationAttributeValues.Netmask(32).Value.ToArray());
    }

    [Fact]
    public void Truncated_attribute_is_a_decode_error_not_an_exception()
    {
        Assert.False(ConfigurationPayload.TryDecode(Hex.Parse("02000000 00010008 0a030001"), out _, out string error));
        Assert.Contains("truncated", error);
    }

    private static byte[] Body(IkePayload p)
    {
        var b = new byte[p.BodyLength];
        p.WriteBody(b);
        return b;
    }
}

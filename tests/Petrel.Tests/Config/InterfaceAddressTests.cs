using Petrel.Config;

namespace Petrel.Tests.Config;

/// <summary>
/// petrel { interfaces { NAME { if_id = ID  local = …  peer = … } } }: a route-based interface's own addresses
/// (what BGP peers over), mixed with the short NAME = ID form, and each refusal with its line.
/// </summary>
public sealed class InterfaceAddressTests
{
    private static string Conf(string interfaces) => $$"""
        connections {
          lab {
            remote_addrs = 198.18.0.2
            local {
              auth = psk
            }
            remote {
              auth = psk
            }
            children {
              a {
                if_id_in = 1
                if_id_out = 1
              }
              b {
                if_id_in = 2
                if_id_out = 2
              }
            }
          }
        }
        petrel {
          interfaces {
        {{interfaces}}
          }
        }
        """;

    /// <summary>The line of the first line of <c>interfaces</c>' body.</summary>
    private const int First = 24;

    private static VirtualInterfaceSet Load(string interfaces) => SwanctlLoader.LoadText(Conf(interfaces)).Daemon.VirtualInterfaces;

    [Fact]
    public void Local_and_peer_make_a_point_to_point_address_per_family()
    {
        var set = Load("""
            vpn0 {
              if_id = 1
              local = 169.254.10.1, fd00:10::1
              peer = 169.254.10.2, fd00:10::2/127
            }
            vpn1 = 2
            """);
        Assert.Equal([(1u, "vpn0"), (2u, "vpn1")], set.Interfaces);
        var a = set.AddressesOf(1);
        Assert.Equal(["169.254.10.1", "peer", "169.254.10.2/32"], a[0].IpArguments);
        Assert.Equal(["fd00:10::1", "peer", "fd00:10::2/127"], a[1].IpArguments);
        Assert.Equal("169.254.10.1 peer 169.254.10.2/32", a[0].ToString());
        Assert.Empty(set.AddressesOf(2));
    }

    [Fact]
    public void A_local_address_without_peer_may_carry_a_subnet()
    {
        var set = Load("""
            bgp0 {
              if_id = 0x2
              local = 10.9.0.1/30
            }
            """);
        Assert.Equal([(1u, "vti00"), (2u, "bgp0")], set.Interfaces);
        Assert.Equal(["10.9.0.1/30"], set.AddressesOf(2).Single().IpArguments);
    }

    [Fact]
    public void Sets_differing_only_in_addresses_keep_their_devices_but_are_not_equal()
    {
        var a = Load("vpn0 {\n if_id = 1\n local = 169.254.10.1\n peer = 169.254.10.2\n}");
        var b = Load("vpn0 {\n if_id = 1\n local = 169.254.10.5\n peer = 169.254.10.6\n}");
        Assert.True(a.SameDevices(b));
        Assert.NotEqual(a, b);
        Assert.Equal(a, Load("vpn0 {\n if_id = 1\n local = 169.254.10.1\n peer = 169.254.10.2\n}"));
    }

    [Theory]
    [InlineData("vpn0 {\n local = 169.254.10.1\n}", First, "needs if_id = ID")]
    [InlineData("vpn0 {\n if_id = 1\n address = 169.254.10.1\n}", First + 2, "unknown key 'address'")]
    [InlineData("vpn0 {\n if_id = 1\n peer = 169.254.10.2\n}", First + 2, "peer 169.254.10.2 has no local address of its family")]
    [InlineData("vpn0 {\n if_id = 1\n local = 169.254.10.1/30\n peer = 169.254.10.2\n}", First + 2, "the prefix length belongs to the peer")]
    [InlineData("vpn0 {\n if_id = 1\n local = 169.254.10.1\n peer = 169.254.10.1\n}", First + 3, "is the local address")]
    [InlineData("vpn0 {\n if_id = 1\n local = 169.254.10.1, 169.254.11.1\n}", First + 2, "two IPv4 addresses; one per family")]
    [InlineData("vpn0 {\n if_id = 1\n local = 224.0.0.5\n}", First + 2, "cannot be an interface address")]
    [InlineData("vpn0 {\n if_id = 1\n local = 169.254.10.1/33\n}", First + 2, "the prefix length must be 1 to 32")]
    [InlineData("vpn0 {\n if_id = 1\n local = vpn-gw\n}", First + 2, "'vpn-gw' is not an IP address")]
    [InlineData("vpn0 {\n if_id = 9\n local = 169.254.10.1\n}", First, "no child uses if_id 9")]
    [InlineData("vpn0 = 1\nvpn0 {\n if_id = 2\n}", First + 1, "'vpn0' in petrel.interfaces")]
    [InlineData("vpn0 {\n if_id = 1\n}\nvpn1 {\n if_id = 1\n}", First + 3, "if_id 1 is already named 'vpn0'")]
    public void Bad_addresses_are_refused_with_their_line(string interfaces, int line, string message)
    {
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf(interfaces)));
        Assert.Contains(message, e.Message);
        Assert.Equal(line, e.Line);
    }
}

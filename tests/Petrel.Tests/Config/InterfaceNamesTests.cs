using Petrel.Config;

namespace Petrel.Tests.Config;

/// <summary>
/// petrel { interfaces { NAME = IF_ID } }: user names for route-based interfaces, the vtiNN numbering
/// of the unnamed ones around them, and each refusal with the line it points at.
/// </summary>
public sealed class InterfaceNamesTests
{
    /// <summary>
    /// Three children with if_ids (first use: 42, 7, 0x10 = 16) and a petrel section whose
    /// interfaces { } body starts on line 29 (the line of the first name).
    /// </summary>
    private static string Conf(string interfaces, string petrel = "", string ids = "42,7,0x10") => $$"""
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
                if_id_in = {{ids.Split(',')[0]}}
                if_id_out = {{ids.Split(',')[0]}}
              }
              b {
                if_id_in = {{ids.Split(',')[1]}}
                if_id_out = {{ids.Split(',')[1]}}
              }
              c {
                if_id_in = {{ids.Split(',')[2]}}
                if_id_out = {{ids.Split(',')[2]}}
              }
            }
          }
        }
        petrel {
          {{petrel}}
          interfaces {
        {{interfaces}}
          }
        }
        """;

    private const int FirstNameLine = 29;

    private static IReadOnlyList<(uint Id, string Name)> Interfaces(string interfaces, string petrel = "", string ids = "42,7,0x10") =>
        SwanctlLoader.LoadText(Conf(interfaces, petrel, ids)).Daemon.VirtualInterfaces.Interfaces;

    private static ConfigException Refused(string interfaces, string petrel = "", string ids = "42,7,0x10") =>
        Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf(interfaces, petrel, ids)));

    [Fact]
    public void Without_names_every_id_is_vti_numbered_in_order_of_first_use()
    {
        Assert.Equal([(42u, "vti00"), (7u, "vti01"), (16u, "vti02")], Interfaces(""));
    }

    [Fact]
    public void A_named_id_gets_its_name_and_the_unnamed_keep_their_numbers()
    {
        Assert.Equal([(42u, "ospf0"), (7u, "vti01"), (16u, "vti02")], Interfaces("ospf0 = 42"));
        Assert.Equal([(42u, "vti00"), (7u, "bgp-east"), (16u, "vti02")], Interfaces("bgp-east = 7"));
        Assert.Equal([(42u, "a"), (7u, "b.1"), (16u, "c_2")], Interfaces("a = 42\nb.1 = 7\nc_2 = 16"));
    }

    [Fact]
    public void Ids_may_be_hex_like_if_id_in_and_out()
    {
        Assert.Equal([(42u, "ospf0"), (7u, "vti01"), (16u, "core")], Interfaces("ospf0 = 0x2a\ncore = 0X10"));
        Assert.Equal("ospf0", SwanctlLoader.LoadText(Conf("ospf0 = 42")).Daemon.VirtualInterfaces.NameOf(0x2a));
    }

    [Fact]
    public void A_user_taken_vti_name_moves_the_unnamed_id_to_the_next_free_number()
    {
        // 42 would be vti00, but the user gave vti00 to 7: 42 takes vti01, 16 keeps vti02.
        Assert.Equal([(42u, "vti01"), (7u, "vti00"), (16u, "vti02")], Interfaces("vti00 = 7"));
        // 16's own number (2) and the next (3) are taken by names: it gets vti04.
        Assert.Equal([(42u, "vti03"), (7u, "vti02"), (16u, "vti04")], Interfaces("vti02 = 7\nvti03 = 42"));
    }

    [Fact]
    public void Every_generated_name_is_distinct_from_every_user_name()
    {
        var all = Interfaces("vti01 = 42\nvti00 = 16");
        Assert.Equal([(42u, "vti01"), (7u, "vti02"), (16u, "vti00")], all);
        Assert.Equal(all.Count, all.Select(i => i.Name).Distinct().Count());
    }

    [Theory]
    [InlineData("0123456789abcdef = 42", "'0123456789abcdef' is not an interface name")]
    [InlineData("a/b = 42", "'a/b' is not an interface name")]
    [InlineData("vti%d = 42", "'vti%d' is not an interface name")]
    [InlineData(". = 42", "'.' is not an interface name")]
    [InlineData(".. = 42", "'..' is not an interface name")]
    [InlineData("tüv = 42", "'tüv' is not an interface name")]
    [InlineData("ospf0 = 0", "'0' is not an interface id (1 to 4294967294")]
    [InlineData("ospf0 = 0xffffffff", "'0xffffffff' is not an interface id")]
    [InlineData("ospf0 = 4294967296", "is not an interface id")]
    [InlineData("ospf0 = -1", "is not an interface id")]
    [InlineData("ospf0 = %unique", "is not an interface id")]
    [InlineData("ospf0 = forty", "is not an interface id")]
    [InlineData("ospf0 =", "is not an interface id")]
    [InlineData("petrel0 = 42", "'petrel0' is the shared TUN device")]
    [InlineData("ospf0 = 43", "no child uses if_id 43 (the children use 42, 7, 16)")]
    public void A_bad_name_or_id_is_refused_naming_key_and_line(string line, string message)
    {
        var e = Refused(line);
        Assert.Equal(FirstNameLine, e.Line);
        Assert.Contains("petrel.interfaces." + line.Split('=')[0].Trim() + ":", e.Message);
        Assert.Contains(message, e.Message);
        Assert.StartsWith($"swanctl.conf:{FirstNameLine}: ", e.Message);
    }

    [Fact]
    public void A_name_equal_to_a_renamed_tun_device_is_refused_and_petrel0_is_then_free()
    {
        var e = Refused("tun9 = 42", petrel: "tun_name = tun9");
        Assert.Equal(FirstNameLine, e.Line);
        Assert.Contains("petrel.interfaces.tun9: 'tun9' is the shared TUN device", e.Message);
        Assert.Equal("petrel0", Interfaces("petrel0 = 42", petrel: "tun_name = tun9")[0].Name);
    }

    [Fact]
    public void The_same_id_named_twice_is_refused_at_the_second_name()
    {
        var e = Refused("ospf0 = 42\nbgp0 = 0x2a");
        Assert.Equal(FirstNameLine + 1, e.Line);
        Assert.Contains($"petrel.interfaces.bgp0: if_id 42 is already named 'ospf0' (line {FirstNameLine})", e.Message);
    }

    [Fact]
    public void The_same_name_given_twice_is_refused_at_the_later_line()
    {
        var e = Refused("ospf0 = 42\ncore = 16\nospf0 = 7");
        Assert.Equal(FirstNameLine + 2, e.Line);
        Assert.Contains($"petrel.interfaces.ospf0: the name is given twice (also at swanctl.conf:{FirstNameLine})", e.Message);
    }

    [Fact]
    public void A_name_without_route_based_children_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText("petrel {\n  interfaces {\n    ospf0 = 1\n  }\n}\n"));
        Assert.Equal(3, e.Line);
        Assert.Contains("no child uses if_id 1 (no child has if_id_in/if_id_out)", e.Message);
    }

    [Fact]
    public void A_subsection_inside_interfaces_needs_its_if_id()
    {
        var e = Refused("ospf0 {\n}");
        Assert.Equal(FirstNameLine, e.Line);
        Assert.Contains("petrel.interfaces.ospf0 needs if_id = ID", e.Message);
    }

    [Fact]
    public void Names_change_the_daemon_settings_so_reload_notices()
    {
        var named = SwanctlLoader.LoadText(Conf("ospf0 = 42")).Daemon;
        var renamed = SwanctlLoader.LoadText(Conf("ospf1 = 42")).Daemon;
        Assert.NotEqual(named, renamed);
        Assert.Equal(named, SwanctlLoader.LoadText(Conf("ospf0 = 0x2a")).Daemon);
    }
}

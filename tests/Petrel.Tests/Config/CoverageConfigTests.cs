using Petrel.Config;

namespace Petrel.Tests.Config;

/// <summary>
/// The config test set (Config/Coverage/*.conf, written for Petrel): every swanctl.conf key Petrel maps appears in
/// one of them and loads with the meaning asserted here; every key Petrel refuses is refused at its line.
/// tools/swanctl-coverage.py measures the same on strongSwan's own scenario configs.
/// </summary>
public sealed class CoverageConfigTests
{
    private static string SetPath(string name) => Path.Combine(AppContext.BaseDirectory, "Config", "Coverage", name);

    public static TheoryData<string> Files() => new(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Config", "Coverage"), "*.conf").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_config_of_the_set_loads(string name)
    {
        var config = SwanctlLoader.Load(SetPath(name));
        Assert.NotEmpty(config.Connections);
    }

    [Fact]
    public void The_site_config_maps_its_keys()
    {
        var site = Assert.Single(SwanctlLoader.Load(SetPath("site-psk.conf")).Connections);
        Assert.False(site.SendCertreq);
        Assert.Equal(TimeSpan.FromSeconds(20), site.DpdDelay);
        Assert.Equal("replace", site.Unique);
        var lan = Assert.Single(site.Children);
        Assert.Equal("/usr/local/libexec/petrel/updown iptables", lan.Updown);
        Assert.True(lan.HostAccess);
        Assert.Equal(64, lan.ReplayWindow);
        Assert.Equal(1200000UL, lan.LifePackets);
        Assert.Equal(["10.1.0.0/16", "10.3.0.0/24[tcp/443]"], lan.LocalTs);
    }

    [Fact]
    public void The_template_config_inherits_through_two_levels()
    {
        var conns = SwanctlLoader.Load(SetPath("templates.conf")).Connections;
        var one = conns.Single(c => c.Name == "branch-1");
        var two = conns.Single(c => c.Name == "branch-2");
        Assert.Equal(["192.0.2.1"], two.LocalAddrs);
        Assert.Equal("gw.example.org", two.Local.Id);
        Assert.Equal("branch-2.example.org", two.Remote.Id);
        Assert.Equal("trap", Assert.Single(one.Children).StartAction);
        var lan = Assert.Single(two.Children);
        Assert.Equal("none", lan.StartAction);
        Assert.Equal(["10.12.0.0/16"], lan.RemoteTs);
        Assert.Equal(["10.1.0.0/16"], lan.LocalTs);
        Assert.Equal("/usr/local/libexec/petrel/updown", lan.Updown);
    }

    [Fact]
    public void The_route_based_config_names_its_interfaces()
    {
        var config = SwanctlLoader.Load(SetPath("route-based.conf"));
        Assert.Equal("vti-primary", config.Daemon.VirtualInterfaces.NameOf(42));
        Assert.NotNull(config.Daemon.VirtualInterfaces.NameOf(0x2b));
    }

    /// <summary>Keys strongSwan has and Petrel refuses: each one names the file, the line and the key.</summary>
    [Theory]
    [InlineData("connection", "dscp = 000001")]
    [InlineData("connection", "send_cert = always")]
    [InlineData("connection", "keyingtries = 0")]
    [InlineData("connection", "childless = allow")]
    [InlineData("connection", "ppk_id = ppk")]
    [InlineData("child", "mark_in = 42")]
    [InlineData("child", "mark_out = 42")]
    [InlineData("child", "set_mark_in = 1")]
    [InlineData("child", "policies = no")]
    [InlineData("child", "reqid = 5")]
    [InlineData("child", "copy_df = no")]
    [InlineData("child", "interface = eth0")]
    [InlineData("child", "inactivity = 30m")]
    [InlineData("child", "hw_offload = yes")]
    [InlineData("child", "priority = 10")]
    [InlineData("child", "label = system_u:object_r:ipsec_spd_t:s0")]
    public void A_refused_key_is_an_error_at_its_line(string where, string line)
    {
        string text = $$"""
            connections {
              c {
                remote_addrs = 198.51.100.1
                {{(where == "connection" ? line : "")}}
                local {
                  auth = psk
                }
                remote {
                  auth = psk
                }
                children {
                  n {
                    {{(where == "child" ? line : "")}}
                  }
                }
              }
            }
            """;
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(text, "set.conf"));
        string key = line[..line.IndexOf(' ')];
        int expectedLine = where == "connection" ? 4 : 13;
        Assert.StartsWith($"set.conf:{expectedLine}: ", e.Message);
        Assert.Contains(key.StartsWith("mark_") || key.StartsWith("set_mark_") ? $"{key} selects kernel XFRM states" : $"'{key}'", e.Message);
    }

    [Fact]
    public void Marks_are_refused_with_the_if_id_to_use_instead()
    {
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(
            "connections {\n c {\n remote_addrs = 198.51.100.1\n children {\n n {\n mark_in = 42/0xffffffff\n }\n }\n }\n}\n", "set.conf"));
        Assert.StartsWith("set.conf:6: ", e.Message);
        Assert.Contains("use if_id_in / if_id_out = 42 for a route-based interface", e.Message);
    }
}

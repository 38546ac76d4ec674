using Petrel.Config;

namespace Petrel.Tests.Config;

/// <summary>strongswan.conf(5) "REFERENCING OTHER SECTIONS": name : base1, base2 { … } in swanctl.conf.</summary>
public sealed class SettingsInheritanceTests
{
    private const string Templates = """
        conn-defaults {
          remote_addrs = 192.0.2.1
          proposals = aes256-sha256-ecp256
          local {
            auth = psk
            id = gw.example.org
          }
          remote {
            auth = psk
          }
        }
        child-defaults {
          esp_proposals = aes256gcm16
          start_action = trap
          local_ts = 10.1.0.0/16
        }
        """;

    [Fact]
    public void A_connection_inherits_keys_and_subsections_and_its_own_values_win()
    {
        var config = SwanctlLoader.LoadText(Templates + """

            connections {
              a : conn-defaults {
                remote_addrs = 192.0.2.9
                remote {
                  id = peer-a
                }
                children {
                  net : child-defaults {
                    remote_ts = 10.2.0.0/16
                    start_action = none
                  }
                }
              }
              b : connections.a {
                local {
                  id = gw-b
                }
              }
            }
            """);
        var a = config.Connections.Single(c => c.Name == "a");
        Assert.Equal(["192.0.2.9"], a.RemoteAddrs);
        Assert.Equal(Petrel.Crypto.Proposals.ProposalParser.Parse("aes256-sha256-ecp256", Petrel.Crypto.Proposals.SecurityProtocol.Ike)[0].Transforms,
            Assert.Single(a.Proposals).Transforms);
        Assert.Equal("psk", a.Local.Auth);
        Assert.Equal("gw.example.org", a.Local.Id);
        Assert.Equal("peer-a", a.Remote.Id);
        var net = Assert.Single(a.Children);
        Assert.Equal("none", net.StartAction);
        Assert.Equal(["10.1.0.0/16"], net.LocalTs);
        Assert.Equal(["10.2.0.0/16"], net.RemoteTs);
        // b inherits everything a has, including what a inherited, and overrides one nested key.
        var b = config.Connections.Single(c => c.Name == "b");
        Assert.Equal(["192.0.2.9"], b.RemoteAddrs);
        Assert.Equal("gw-b", b.Local.Id);
        Assert.Equal("psk", b.Local.Auth);
        Assert.Equal("peer-a", b.Remote.Id);
        Assert.Equal(["10.2.0.0/16"], Assert.Single(b.Children).RemoteTs);
    }

    [Fact]
    public void References_are_read_left_to_right_and_may_point_forward_and_an_empty_value_restores_the_default()
    {
        var config = SwanctlLoader.LoadText("""
            connections {
              a : first, second {
                children {
                  net {
                    start_action =
                  }
                }
              }
            }
            first {
              remote_addrs = 192.0.2.1
              children {
                net {
                  start_action = start
                }
              }
            }
            second {
              remote_addrs = 192.0.2.2
              version = 2
            }
            """);
        var a = Assert.Single(config.Connections);
        Assert.Equal(["192.0.2.1"], a.RemoteAddrs);
        Assert.Equal("none", Assert.Single(a.Children).StartAction);
    }

    [Fact]
    public void A_missing_reference_is_an_error_at_its_line_with_a_suggestion()
    {
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Templates + "\nconnections {\n  a : conn-default {\n  }\n}\n", "x.conf"));
        Assert.Equal("x.conf:18: section 'connections.a' inherits from 'conn-default', which is not a section of this config (did you mean 'conn-defaults'?)", e.Message);
    }

    [Fact]
    public void A_loop_is_an_error()
    {
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText("one : two {\n}\ntwo : one {\n}\n", "x.conf"));
        Assert.StartsWith("x.conf:3: section 'two' inherits from 'one', which contains or inherits from it (one -> two -> one)", e.Message);
        var self = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText("connections {\n  a : connections {\n  }\n}\n", "x.conf"));
        Assert.Contains("x.conf:2: section 'connections.a' inherits from 'connections'", self.Message);
    }

    [Fact]
    public void An_unreferenced_unknown_top_level_section_is_still_an_error_and_a_bad_reference_list_too()
    {
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Templates, "x.conf"));
        Assert.Contains("unknown section 'conn-defaults' at the top level", e.Message);
        var syntax = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText("connections {\n  a : {\n  }\n}\n", "x.conf"));
        Assert.Equal("x.conf:2: section 'a': expected the name of a section to inherit from after ':'", syntax.Message);
    }

    [Fact]
    public void Inherited_keys_keep_the_file_and_line_where_the_template_wrote_them()
    {
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText("base {\n  rekey_time = 4x\n}\nconnections {\n  a : base {\n    remote_addrs = 192.0.2.1\n  }\n}\n", "x.conf"));
        Assert.StartsWith("x.conf:2: connections.a.rekey_time: '4x' is not a time", e.Message);
    }
}

using System.Net;
using System.Text;
using Petrel.Config;

namespace Petrel.Tests.Config;

/// <summary>petrel { eap-radius { … } } (strongSwan's eap-radius plugin settings) and remote auth = eap-radius.</summary>
public sealed class RadiusConfigTests
{
    /// <summary>A gateway connection with remote auth = eap-radius (auth on line 7), then <paramref name="petrel"/> from line 17.</summary>
    private static string Conf(string petrel) =>
        "connections {\n" +
        "  rw {\n" +
        "    local {\n" +
        "      auth = pubkey\n" +
        "    }\n" +
        "    remote {\n" +
        "      auth = eap-radius\n" +
        "      eap_id = %any\n" +
        "    }\n" +
        "    children {\n" +
        "      net {\n" +
        "        local_ts = 10.1.0.0/24\n" +
        "      }\n" +
        "    }\n  }\n}\n" +
        petrel;

    private static string Refusal(string text) =>
        Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(text, "swanctl.conf")).Message;

    [Fact]
    public void Servers_with_failover_preference_ports_timeouts_and_accounting_load()
    {
        var config = SwanctlLoader.LoadText(Conf("""
            petrel {
              eap-radius {
                nas_identifier = gw-1
                retransmit_timeout = 1.5
                retransmit_base = 1.2
                retransmit_tries = 3
                accounting = yes
                accounting_interval = 5m
                servers {
                  primary {
                    address = 192.0.2.10
                    secret = 0x736563726574
                    auth_port = 11812
                    acct_port = 11813
                    preference = 10
                  }
                  backup {
                    address = 2001:db8::10
                    secret = "backup secret"
                    nas_identifier = gw-1b
                  }
                }
              }
            }
            """), "swanctl.conf");
        Assert.Equal("eap-radius", config.Connections[0].Remote.Auth);
        var r = config.Daemon.Radius!;
        Assert.Equal("gw-1", r.NasIdentifier);
        Assert.Equal(TimeSpan.FromSeconds(1.5), r.RetransmitTimeout);
        Assert.Equal(1.2, r.RetransmitBase);
        Assert.Equal(3, r.RetransmitTries);
        Assert.True(r.Accounting);
        Assert.Equal(TimeSpan.FromMinutes(5), r.AccountingInterval);
        Assert.Equal(["primary", "backup"], r.ByPreference().Select(s => s.Name));
        var primary = r.Servers[0];
        Assert.Equal(IPAddress.Parse("192.0.2.10"), primary.Address);
        Assert.Equal("secret"u8.ToArray(), primary.Secret);
        Assert.Equal((11812, 11813, 10), (primary.AuthPort, primary.AcctPort, primary.Preference));
        var backup = r.Servers[1];
        Assert.Equal(IPAddress.Parse("2001:db8::10"), backup.Address);
        Assert.Equal(Encoding.UTF8.GetBytes("backup secret"), backup.Secret);
        Assert.Equal((1812, 1813, 0, "gw-1b"), (backup.AuthPort, backup.AcctPort, backup.Preference, backup.NasIdentifier));
        // Secrets never reach the text forms.
        Assert.DoesNotContain("backup secret", backup.ToString());
    }

    [Fact]
    public void The_single_server_shorthand_loads()
    {
        var r = SwanctlLoader.LoadText(Conf("petrel {\n  eap-radius {\n    server = 127.0.0.1\n    secret = s3cret\n    port = 1645\n  }\n}\n")).Daemon.Radius!;
        var s = Assert.Single(r.Servers);
        Assert.Equal((IPAddress.Loopback, 1645, 1813), (s.Address, s.AuthPort, s.AcctPort));
        Assert.False(r.Accounting);
    }

    [Fact]
    public void Eap_radius_without_a_server_is_refused_at_the_auth_line()
    {
        Assert.Equal("swanctl.conf:7: connections.rw.remote.auth: needs a RADIUS server: add petrel { eap-radius { servers { NAME { address = …, secret = … } } } }",
            Refusal(Conf("")));
        Assert.Equal("swanctl.conf:18: petrel.eap-radius: no RADIUS server: add servers { NAME { address = …, secret = … } }",
            Refusal(Conf("petrel {\n  eap-radius {\n    accounting = yes\n  }\n}\n")));
    }

    [Theory]
    [InlineData("    secrte = x\n", "swanctl.conf:19: unknown key 'secrte' in petrel.eap-radius (did you mean 'secret'?)")]
    [InlineData("    eap_start = yes\n", "swanctl.conf:19: key 'eap_start' in petrel.eap-radius is not supported by Petrel yet")]
    [InlineData("    dae {\n    }\n", "swanctl.conf:19: section 'dae' in petrel.eap-radius is not supported by Petrel yet")]
    [InlineData("    retransmit_timeout = 0\n", "swanctl.conf:19: petrel.eap-radius.retransmit_timeout: '0' is not a number of seconds from 0.1 to 60 (e.g. 2.0)")]
    [InlineData("    servers {\n      a {\n        address = radius.example\n        secret = x\n      }\n    }\n",
        "swanctl.conf:21: petrel.eap-radius.servers.a.address: 'radius.example' is not an IP address (Petrel does not resolve RADIUS server names)")]
    [InlineData("    servers {\n      a {\n        address = 192.0.2.1\n      }\n    }\n", "swanctl.conf:20: petrel.eap-radius.servers.a: 'secret' is missing")]
    [InlineData("    servers {\n      a {\n        address = 192.0.2.1\n        secret = x\n        sockets = 4\n      }\n    }\n",
        "swanctl.conf:23: key 'sockets' in petrel.eap-radius.servers.a is not supported by Petrel yet")]
    public void Bad_settings_are_refused_with_file_and_line(string body, string expected)
    {
        string text = Conf("petrel {\n  eap-radius {\n" + body + "    server = 192.0.2.9\n    secret = y\n  }\n}\n");
        Assert.Equal(expected, Refusal(text));
    }
}

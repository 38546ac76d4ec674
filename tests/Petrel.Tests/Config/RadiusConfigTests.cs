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

    [Fact]
    public void Dae_loads_with_strongswans_defaults_and_stays_off_unless_enabled()
    {
        var on = SwanctlLoader.LoadText(Conf("petrel {\n  eap-radius {\n    server = 127.0.0.1\n    secret = s\n    dae {\n      enable = yes\n      secret = dae-secret\n    }\n  }\n}\n")).Daemon.Radius!.Dae!;
        Assert.Equal(new IPEndPoint(IPAddress.Any, 3799), on.Listen);
        Assert.Equal("dae-secret"u8.ToArray(), on.Secret);
        Assert.DoesNotContain("dae-secret", on.ToString());
        var bound = SwanctlLoader.LoadText(Conf("petrel {\n  eap-radius {\n    server = 127.0.0.1\n    secret = s\n    dae {\n      enable = yes\n      listen = 127.0.0.1\n      port = 13799\n      secret = x\n    }\n  }\n}\n")).Daemon.Radius!.Dae!;
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 13799), bound.Listen);
        Assert.Null(SwanctlLoader.LoadText(Conf("petrel {\n  eap-radius {\n    server = 127.0.0.1\n    secret = s\n    dae {\n      secret = x\n    }\n  }\n}\n")).Daemon.Radius!.Dae);
    }

    private static string Servers(int count) =>
        "    servers {\n" + string.Concat(Enumerable.Range(1, count).Select(i => $"      s{i} {{\n        address = 192.0.2.{i}\n        secret = x\n      }}\n")) + "    }\n";

    /// <summary>strongSwan's defaults (2 s, base 1.4, 4 tries) take 14.2 s per silent server; the whole failover must fit the 30 s half-open timeout less 5 s.</summary>
    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 3)]
    [InlineData(3, 2)]
    [InlineData(12, 1)]
    public void Unset_retransmit_tries_default_to_as_many_as_fit_the_half_open_timeout(int servers, int tries)
    {
        var r = SwanctlLoader.LoadText(Conf("petrel {\n  eap-radius {\n" + Servers(servers) + "  }\n}\n")).Daemon.Radius!;
        Assert.Equal(tries, r.RetransmitTries);
        Assert.True(r.FailoverBudget() <= TimeSpan.FromSeconds(25), r.FailoverBudget().ToString());
    }

    [Fact]
    public void Written_retransmit_settings_whose_failover_outlasts_the_half_open_timeout_are_refused_with_the_arithmetic()
    {
        // Lines: petrel 17, eap-radius 18, retransmit_tries 19.
        Assert.Equal("swanctl.conf:19: petrel.eap-radius.retransmit_tries: with 2 server(s) that do not answer, a request waits 2 × (2 + 2.8 + 3.92 + 5.49 s) = 28.4 s " +
            "before it fails, but the whole IKE_AUTH must finish within the 30 s half-open timeout (25 s are left for RADIUS); lower retransmit_timeout, retransmit_base or retransmit_tries, or configure fewer servers",
            Refusal(Conf("petrel {\n  eap-radius {\n    retransmit_tries = 4\n" + Servers(2) + "  }\n}\n")));
        Assert.StartsWith("swanctl.conf:19: petrel.eap-radius.retransmit_timeout: with 13 server(s)",
            Refusal(Conf("petrel {\n  eap-radius {\n    retransmit_timeout = 2\n" + Servers(13) + "  }\n}\n")));
        // One server with the same settings fits.
        Assert.Equal(4, SwanctlLoader.LoadText(Conf("petrel {\n  eap-radius {\n    retransmit_tries = 4\n" + Servers(1) + "  }\n}\n")).Daemon.Radius!.RetransmitTries);
    }

    [Theory]
    [InlineData("    secrte = x\n", "swanctl.conf:19: unknown key 'secrte' in petrel.eap-radius (did you mean 'secret'?)")]
    [InlineData("    eap_start = yes\n", "swanctl.conf:19: key 'eap_start' in petrel.eap-radius is not supported by Petrel yet")]
    [InlineData("    forward {\n    }\n", "swanctl.conf:19: section 'forward' in petrel.eap-radius is not supported by Petrel yet")]
    [InlineData("    dae {\n      enable = yes\n    }\n", "swanctl.conf:20: petrel.eap-radius.dae.enable: RADIUS DAE needs its shared secret: add secret = … beside enable = yes")]
    [InlineData("    dae {\n      enable = yes\n      secret = x\n      listen = radius.example\n    }\n",
        "swanctl.conf:22: petrel.eap-radius.dae.listen: 'radius.example' is not an IP address (Petrel does not resolve RADIUS server names)")]
    [InlineData("    dae {\n      enabel = yes\n    }\n", "swanctl.conf:20: unknown key 'enabel' in petrel.eap-radius.dae (did you mean 'enable'?)")]
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

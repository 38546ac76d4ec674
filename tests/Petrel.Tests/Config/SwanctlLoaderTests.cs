using System.Text;
using Microsoft.Extensions.Logging;
using Petrel.Config;
using Petrel.Crypto.Proposals;

namespace Petrel.Tests.Config;

public class SwanctlLoaderTests
{
    private static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "data", name);

    /// <summary>A minimal valid connection with <paramref name="extra"/> lines in connections.lab and <paramref name="child"/> in its child.</summary>
    private static string Conf(string extra = "", string child = "", string tail = "") => $$"""
        connections {
          lab {
            remote_addrs = 198.18.0.2
            {{extra}}
            local {
              auth = psk
            }
            remote {
              auth = psk
            }
            children {
              net {
                local_ts = 10.1.0.0/24
                {{child}}
              }
            }
          }
        }
        {{tail}}
        """;

    private static ConfigException Fails(string text) =>
        Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(text, "swanctl.conf"));

    [Fact]
    public void Lab_left_file_loads_with_its_values()
    {
        var config = SwanctlLoader.Load(Data("ikev2-psk.left.swanctl.conf"));
        var lab = Assert.Single(config.Connections);
        Assert.Equal("lab", lab.Name);
        Assert.Equal(2, lab.Version);
        Assert.Equal(["198.18.0.1"], lab.LocalAddrs);
        Assert.Equal(["198.18.0.2"], lab.RemoteAddrs);
        Assert.True(lab.Encap);
        Assert.Equal(3, lab.Proposals.Count);
        Assert.All(lab.Proposals, p => Assert.Equal(SecurityProtocol.Ike, p.Protocol));
        Assert.Equal(TimeSpan.FromHours(4), lab.RekeyTime);
        Assert.Equal(TimeSpan.Zero, lab.DpdDelay);
        Assert.Equal("psk", lab.Local.Auth);
        Assert.Equal("left", lab.Local.Id);
        Assert.Equal("psk", lab.Remote.Auth);
        Assert.Equal("right", lab.Remote.Id);
        var net = Assert.Single(lab.Children);
        Assert.Equal("net", net.Name);
        Assert.Equal("tunnel", net.Mode);
        Assert.Equal(["10.1.0.0/24"], net.LocalTs);
        Assert.Equal(["10.2.0.0/24"], net.RemoteTs);
        Assert.Equal(2, net.EspProposals.Count);
        Assert.All(net.EspProposals, p => Assert.Equal(SecurityProtocol.Esp, p.Protocol));
        Assert.Empty(net.AhProposals);
        Assert.Equal(TimeSpan.FromHours(1), net.RekeyTime);
        Assert.Equal("none", net.StartAction);
        Assert.EndsWith("ikev2-psk.left.swanctl.conf:4", lab.Source);

        var secret = Assert.Single(config.Secrets);
        Assert.Equal("ike", secret.Kind);
        Assert.Equal(["left", "right"], secret.Ids);
        Assert.Equal(Encoding.UTF8.GetBytes("lab-psk-0123456789"), secret.Secret);
        Assert.Equal(new DaemonSettings(), config.Daemon);
    }

    [Fact]
    public void Lab_right_file_loads_mirrored()
    {
        var lab = Assert.Single(SwanctlLoader.Load(Data("ikev2-psk.right.swanctl.conf")).Connections);
        Assert.Equal(["198.18.0.2"], lab.LocalAddrs);
        Assert.Equal("right", lab.Local.Id);
        Assert.Equal("left", lab.Remote.Id);
        Assert.Equal(["10.2.0.0/24"], lab.Children[0].LocalTs);
        Assert.Equal(["10.1.0.0/24"], lab.Children[0].RemoteTs);
    }

    [Fact]
    public void Other_lab_examples_load_unchanged()
    {
        var config = SwanctlLoader.Load(Data("load-responder.right.swanctl.conf"));
        var c = Assert.Single(config.Connections);
        Assert.Equal(2, c.Version);
        Assert.Equal("srv.strongswan.org", c.Local.Id);
        Assert.Single(c.Proposals);
        Assert.Single(config.Secrets);
    }

    /// <summary>The IKEv1 lab files (Main Mode, PSK, one subnet per side) load as they are.</summary>
    [Theory]
    [InlineData("ikev1-psk.left.swanctl.conf")]
    [InlineData("ikev1-psk.right.swanctl.conf")]
    public void IKEv1_lab_examples_load(string file)
    {
        var c = Assert.Single(SwanctlLoader.Load(Data(file)).Connections);
        Assert.Equal(1, c.Version);
        Assert.False(c.Aggressive);
    }

    [Fact]
    public void Defaults_apply_when_keys_are_absent()
    {
        var lab = SwanctlLoader.LoadText(Conf()).Connections[0];
        Assert.Empty(lab.LocalAddrs);
        Assert.Equal(500, lab.LocalPort);
        Assert.Equal(ProposalParser.Default(SecurityProtocol.Ike).Count, lab.Proposals.Count);
        Assert.Null(lab.Local.Id);
        var net = lab.Children[0];
        Assert.Equal(["dynamic"], net.RemoteTs);
        Assert.Equal(ProposalParser.Default(SecurityProtocol.Esp).Count, net.EspProposals.Count);
        Assert.Equal(128, net.ReplayWindow);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("4h", 14400)]
    [InlineData("1d", 86400)]
    [InlineData("3600", 3600)]
    [InlineData("0", 0)]
    public void Time_values(string text, int seconds)
    {
        var lab = SwanctlLoader.LoadText(Conf($"rekey_time = {text}")).Connections[0];
        Assert.Equal(TimeSpan.FromSeconds(seconds), lab.RekeyTime);
    }

    [Theory]
    [InlineData("500k", 500UL * 1024)]
    [InlineData("1G", 1UL << 30)]
    [InlineData("2m", 2UL << 20)]
    [InlineData("12345", 12345UL)]
    public void Byte_and_packet_counts(string text, ulong expected)
    {
        var net = SwanctlLoader.LoadText(Conf(child: $"rekey_bytes = {text}\nrekey_packets = {text}")).Connections[0].Children[0];
        Assert.Equal(expected, net.RekeyBytes);
        Assert.Equal(expected, net.RekeyPackets);
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("no", false)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void Booleans(string text, bool expected) =>
        Assert.Equal(expected, SwanctlLoader.LoadText(Conf($"encap = {text}")).Connections[0].Encap);

    [Fact]
    public void Lists_addresses_and_traffic_selectors()
    {
        var lab = SwanctlLoader.LoadText(Conf(
            "local_addrs = %any, 192.0.2.0/24 , 192.0.2.1-192.0.2.9, gw.example.org, 2001:db8::1",
            "remote_ts = 10.2.0.0/24[tcp/80], dynamic[udp/500], 2001:db8:2::/64, 10.3.0.1-10.3.0.9")).Connections[0];
        Assert.Equal(["%any", "192.0.2.0/24", "192.0.2.1-192.0.2.9", "gw.example.org", "2001:db8::1"], lab.LocalAddrs);
        Assert.Equal(["10.2.0.0/24[tcp/80]", "dynamic[udp/500]", "2001:db8:2::/64", "10.3.0.1-10.3.0.9"], lab.Children[0].RemoteTs);
    }

    [Theory]
    [InlineData("0x6c61622d707368", "lab-psh")]
    [InlineData("0sbGFiLXBzaw==", "lab-psk")]
    [InlineData("\"quoted # text\"", "quoted # text")]
    [InlineData("plain", "plain")]
    public void Secrets_in_every_encoding(string written, string expected)
    {
        var config = SwanctlLoader.LoadText(Conf(tail: $"secrets {{\n ike-a {{\n  id = left\n  secret = {written}\n }}\n}}"));
        var secret = Assert.Single(config.Secrets);
        Assert.Equal(Encoding.UTF8.GetBytes(expected), secret.Secret);
        Assert.Equal(["left"], secret.Ids);
        Assert.DoesNotContain(expected, secret.ToString());
    }

    [Fact]
    public void Authorities_are_accepted_and_stored()
    {
        var config = SwanctlLoader.LoadText(Conf(tail: "authorities {\n  ca1 {\n    cacert = ca.pem\n    crl_uris = http://crl.example/ca.crl\n  }\n}"), directory: "/etc/swanctl");
        var ca = Assert.Single(config.Authorities);
        Assert.Equal("ca1", ca.Name);
        Assert.Equal("/etc/swanctl/x509ca/ca.pem", ca.Settings["cacert"]);
        Assert.Equal("http://crl.example/ca.crl", ca.Settings["crl_uris"]);
        Assert.Contains("unknown key 'cacerts' in authorities.ca2 (did you mean 'cacert'?)",
            Fails(Conf(tail: "authorities {\n  ca2 {\n    cacerts = ca.pem\n  }\n}")).Message);
    }

    [Fact]
    public void Relative_certificates_resolve_against_the_config_directory()
    {
        using var dir = new TempConfigDir();
        string main = dir.Write("swanctl.conf", Conf().Replace("auth = psk\n    }\n    remote", "auth = pubkey\n      certs = gw.pem, /abs/other.pem\n    }\n    remote")
            .Replace("auth = psk\n    }\n    children", "auth = pubkey\n      cacerts = ca.pem\n    }\n    children"));
        var lab = SwanctlLoader.Load(main).Connections[0];
        Assert.Equal([Path.Combine(dir.Path, "x509", "gw.pem"), "/abs/other.pem"], lab.Local.Certs);
        Assert.Equal([Path.Combine(dir.Path, "x509ca", "ca.pem")], lab.Remote.CaCerts);
        Assert.Equal("pubkey", lab.Local.Auth);
    }

    [Fact]
    public void Petrel_section_sets_daemon_settings()
    {
        var config = SwanctlLoader.LoadText(Conf(tail: "petrel {\n socket = /tmp/p.sock\n ike_port = 1500\n natt_port = 14500\n tun_name = pt0\n log_level = debug\n}"));
        Assert.Equal(new DaemonSettings
        {
            SocketPath = "/tmp/p.sock",
            IkePort = 1500,
            NatTPort = 14500,
            TunName = "pt0",
            LogLevel = LogLevel.Debug,
        }, config.Daemon);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("pt:0")]
    [InlineData("pt%d")]
    [InlineData("a/b")]
    [InlineData("sixteen-chars-xx")]
    public void Tun_name_follows_the_kernels_interface_name_rules(string name)
    {
        var e = Fails(Conf(tail: $"petrel {{\n tun_name = {name}\n}}"));
        Assert.Equal($"swanctl.conf:20: petrel.tun_name: '{name}' is not an interface name (1 to 15 characters, not '.' or '..', no '/', ':', '%' or spaces)", e.Message);
    }

    [Fact]
    public void Unknown_key_names_file_line_section_and_suggests()
    {
        var e = Fails(Conf("proposal = aes128-sha256-modp2048"));
        Assert.Equal("swanctl.conf:4: unknown key 'proposal' in connections.lab (did you mean 'proposals'?)", e.Message);
    }

    [Fact]
    public void Unknown_child_key_names_the_child()
    {
        var e = Fails(Conf(child: "esp_proposal = aes128gcm16"));
        Assert.Equal("swanctl.conf:14: unknown key 'esp_proposal' in connections.lab.children.net (did you mean 'esp_proposals'?)", e.Message);
    }

    [Fact]
    public void Unknown_section_is_an_error()
    {
        var e = Fails(Conf(tail: "conections {\n}"));
        Assert.Equal("swanctl.conf:19: unknown section 'conections' at the top level (did you mean 'connections'?)", e.Message);
        var e2 = Fails(Conf("childs {\n}"));
        Assert.Contains("unknown section 'childs' in connections.lab (did you mean 'children'?)", e2.Message);
    }

    [Fact]
    public void StrongSwan_keys_Petrel_lacks_are_rejected_as_unsupported()
    {
        var e = Fails(Conf("dscp = 000001"));
        Assert.Equal("swanctl.conf:4: key 'dscp' in connections.lab is not supported by Petrel yet", e.Message);
        var e2 = Fails(Conf(child: "reqid = 5"));
        Assert.Contains("key 'reqid' in connections.lab.children.net is not supported by Petrel yet", e2.Message);
    }

    [Fact]
    public void Send_certreq_is_mapped_and_defaults_to_yes()
    {
        Assert.True(SwanctlLoader.LoadText(Conf()).Connections[0].SendCertreq);
        Assert.False(SwanctlLoader.LoadText(Conf("send_certreq = no")).Connections[0].SendCertreq);
        Assert.Contains("connections.lab.send_certreq", Fails(Conf("send_certreq = perhaps")).Message);
    }

    [Fact]
    public void Updown_and_hostaccess_are_mapped_to_the_child()
    {
        var c = SwanctlLoader.LoadText(Conf(child: "updown = /usr/local/libexec/ipsec/_updown iptables\nhostaccess = yes")).Connections[0].Children[0];
        Assert.Equal("/usr/local/libexec/ipsec/_updown iptables", c.Updown);
        Assert.True(c.HostAccess);
        var plain = SwanctlLoader.LoadText(Conf()).Connections[0].Children[0];
        Assert.Null(plain.Updown);
        Assert.False(plain.HostAccess);
        var e = Fails(Conf(child: "hostaccess = maybe"));
        Assert.Contains("connections.lab.children.net.hostaccess", e.Message);
    }

    [Theory]
    [InlineData("rekey_time = 4x", "connections.lab.rekey_time: '4x' is not a time")]
    [InlineData("rekey_time = -5", "connections.lab.rekey_time: '-5' is not a time")]
    [InlineData("dpd_delay = ", "connections.lab.dpd_delay: needs a time")]
    [InlineData("encap = maybe", "connections.lab.encap: 'maybe' is not yes or no")]
    [InlineData("local_port = 70000", "connections.lab.local_port: '70000' is not a number from 1 to 65535")]
    [InlineData("version = 3", "connections.lab.version: '3' is not a number from 0 to 2")]
    [InlineData("local_addrs = 10.0.0.300/8", "connections.lab.local_addrs: '10.0.0.300/8' is not an address")]
    [InlineData("proposals = aes128-sha256-modp9999", "connections.lab.proposals: bad proposal")]
    [InlineData("fragmentation = sometimes", "connections.lab.fragmentation: 'sometimes' is not one of yes, accept, force, no")]
    public void Bad_connection_values_name_line_and_key(string line, string expected)
    {
        var e = Fails(Conf(line));
        Assert.Equal(4, e.Line);
        Assert.StartsWith($"swanctl.conf:4: {expected}", e.Message);
    }

    [Theory]
    [InlineData("remote_ts = 10.2.0.0/33", "connections.lab.children.net.remote_ts: bad traffic selector '10.2.0.0/33'")]
    [InlineData("remote_ts = 10.2.0.0/24[tcp/http]", "connections.lab.children.net.remote_ts: bad traffic selector '10.2.0.0/24[tcp/http]'")]
    [InlineData("remote_ts = host.example", "connections.lab.children.net.remote_ts: bad traffic selector 'host.example'")]
    [InlineData("esp_proposals = aes999", "connections.lab.children.net.esp_proposals: bad proposal")]
    [InlineData("mode = beet", "connections.lab.children.net.mode: BEET mode is not supported")]
    [InlineData("mode = tunel", "connections.lab.children.net.mode: 'tunel' is not one of tunnel, transport, pass, drop")]
    [InlineData("start_action = go", "connections.lab.children.net.start_action: 'go' is not one of none, trap, start")]
    [InlineData("rekey_bytes = 1X", "connections.lab.children.net.rekey_bytes: '1X' is not a count")]
    [InlineData("life_time = 30m", "connections.lab.children.net.life_time: must be longer than rekey_time (3600s)")]
    public void Bad_child_values_name_line_and_key(string line, string expected)
    {
        var e = Fails(Conf(child: line));
        Assert.Equal(14, e.Line);
        Assert.StartsWith($"swanctl.conf:14: {expected}", e.Message);
    }

    [Theory]
    [InlineData("0x123", "secrets.ike-a.secret: starts with 0x but is not an even number of hex digits")]
    [InlineData("0xzz", "secrets.ike-a.secret: starts with 0x but is not an even number of hex digits")]
    [InlineData("0s!!!!", "secrets.ike-a.secret: starts with 0s but is not valid Base64")]
    [InlineData("\"\"", "secrets.ike-a.secret: is empty")]
    public void Bad_secrets_name_line_and_never_echo_the_value(string written, string expected)
    {
        var e = Fails(Conf(tail: $"secrets {{\n ike-a {{\n  secret = {written}\n }}\n}}"));
        Assert.Equal($"swanctl.conf:21: {expected}", e.Message);
    }

    [Fact]
    public void Secret_section_without_secret_or_with_unknown_kind()
    {
        Assert.Equal("swanctl.conf:20: secrets.ike-a: 'secret' is missing", Fails(Conf(tail: "secrets {\n ike-a {\n  id = x\n }\n}")).Message);
        Assert.Contains("secret sections start with ike, eap, xauth or ntlm", Fails(Conf(tail: "secrets {\n psk-a {\n  secret = x\n }\n}")).Message);
        Assert.Equal("swanctl.conf:20: secrets.ntlm-a: an NTLM secret is the 16-byte NT hash written as 0x… (32 hex digits), not 1 bytes",
            Fails(Conf(tail: "secrets {\n ntlm-a {\n  secret = x\n }\n}")).Message);
        var ntlm = SwanctlLoader.LoadText(Conf(tail: "secrets {\n ntlm-a {\n  id = carol\n  secret = 0x44EBBA8D5312B8D611474411F56989AE\n }\n}")).Secrets.Single(x => x.Kind == "ntlm");
        Assert.Equal(Convert.FromHexString("44EBBA8D5312B8D611474411F56989AE"), ntlm.Secret);
        Assert.Equal(["carol"], ntlm.Ids);
        Assert.Equal("swanctl.conf:20: secrets.private-a: 'secret' (the key's passphrase) is missing", Fails(Conf(tail: "secrets {\n private-a {\n  file = k.pem\n }\n}")).Message);
    }

    [Theory]
    [InlineData("private-gw")]
    [InlineData("rsa-gw")]
    [InlineData("ecdsa-gw")]
    [InlineData("pkcs8-gw")]
    public void Private_key_secrets_carry_the_passphrase_and_file(string section)
    {
        var config = SwanctlLoader.LoadText(Conf(tail: $"secrets {{\n {section} {{\n  file = gwKey.pem\n  secret = \"pass word\"\n }}\n}}"));
        var secret = Assert.Single(config.Secrets);
        Assert.Equal(section[..section.IndexOf('-')], secret.Kind);
        Assert.Equal("gwKey.pem", secret.File);
        Assert.Equal("pass word", System.Text.Encoding.UTF8.GetString(secret.Secret));
        Assert.Contains("unknown key 'id' in secrets." + section, Fails(Conf(tail: $"secrets {{\n {section} {{\n  id = x\n  secret = y\n }}\n}}")).Message);
    }

    [Fact]
    public void Structure_errors_say_what_should_be_a_section()
    {
        Assert.Equal("swanctl.conf:3: 'children' in connections.lab must be a section: children { … }", Fails("connections {\n lab {\n  children = net\n }\n}\n").Message);
        Assert.StartsWith("swanctl.conf:11: 'children' in connections.lab is already a key (line 4)", Fails(Conf("children = net")).Message);
        Assert.Contains("'connections' must be a section", Fails("connections = lab\n").Message);
    }

    [Fact]
    public void Unbalanced_braces_and_missing_include_are_config_errors()
    {
        Assert.StartsWith("swanctl.conf:", Fails(Conf() + "\n}\n").Message);
        using var dir = new TempConfigDir();
        string main = dir.Write("swanctl.conf", Conf(tail: "include conf.d/secrets.conf"));
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.Load(main));
        Assert.Equal(19, e.Line);
        Assert.Contains("include 'conf.d/secrets.conf': no such file", e.Message);
    }

    [Fact]
    public void Included_files_report_their_own_file_and_line()
    {
        using var dir = new TempConfigDir();
        dir.Write("conf.d/extra.conf", "# extra\nlab2 {\n  proposal = x\n}\n");
        string main = dir.Write("swanctl.conf", "connections {\n  include conf.d/*.conf\n}\n");
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.Load(main));
        Assert.EndsWith("extra.conf", e.File);
        Assert.Equal(3, e.Line);
        Assert.Contains("unknown key 'proposal' in connections.lab2", e.Message);
    }

    [Fact]
    public void Dpd_action_hold_means_trap_and_ah_proposals_select_AH()
    {
        var net = SwanctlLoader.LoadText(Conf(child: "dpd_action = hold\nah_proposals = sha256")).Connections[0].Children[0];
        Assert.Equal("trap", net.DpdAction);
        Assert.Empty(net.EspProposals);
        Assert.Single(net.AhProposals);
    }
}

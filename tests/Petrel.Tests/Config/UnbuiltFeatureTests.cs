using Petrel.Config;

namespace Petrel.Tests.Config;

/// <summary>
/// Settings that ask for a feature Petrel has not built are refused at load with file, line and key
/// (SPEC.md), not accepted and then ignored; values that do not ask for the feature still load.
/// </summary>
public class UnbuiltFeatureTests
{
    /// <summary>A valid connection; <paramref name="connection"/> lands on line 4, <paramref name="local"/> on line 6.</summary>
    private static string Conf(string connection = "", string local = "auth = psk", string tail = "") =>
        "connections {\n" +
        "  lab {\n" +
        "    remote_addrs = 198.18.0.2\n" +
        $"    {connection}\n" +
        "    local {\n" +
        $"      {local}\n" +
        "    }\n" +
        "    remote {\n" +
        "      auth = psk\n" +
        "    }\n" +
        "    children {\n" +
        "      net {\n" +
        "        local_ts = 10.1.0.0/24\n" +
        "      }\n" +
        "    }\n" +
        "  }\n" +
        "}\n" +
        tail;

    private static string Refusal(string text) =>
        Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(text, "swanctl.conf")).Message;

    private static void Loads(string text) => Assert.Single(SwanctlLoader.LoadText(text, "swanctl.conf").Connections);

    [Fact]
    public void Version_1_and_0_load_with_psk_tunnel_and_one_selector_per_side()
    {
        Assert.Equal(1, SwanctlLoader.LoadText(Conf("version = 1")).Connections[0].Version);
        Assert.Equal(0, SwanctlLoader.LoadText(Conf("version = 0")).Connections[0].Version);
    }

    [Fact]
    public void Version_1_refuses_the_ikev1_parts_that_are_not_built()
    {
        Assert.Equal("swanctl.conf:6: connections.lab.local.auth: IKEv1 with auth = eap-md5 is not built: IKEv1 authenticates with auth = psk, pubkey, rsa or ecdsa (or use version = 2)",
            Refusal(Conf("version = 1", local: "auth = eap-md5")));
        Assert.Equal("swanctl.conf:4: connections.lab.version: IKEv1 authenticates both sides the same way (one Phase 1 method): local.auth is pubkey, remote.auth is psk",
            Refusal(Conf("version = 1", local: "auth = pubkey")));
        Assert.Single(SwanctlLoader.LoadText(Conf("version = 1", local: "auth = ecdsa").Replace("auth = psk", "auth = pubkey")).Connections);
        // IKEv1 fragmentation is built: every value strongSwan takes loads.
        foreach (var value in new[] { "yes", "accept", "force", "no" })
            Assert.Equal(value, SwanctlLoader.LoadText(Conf($"version = 1\n    fragmentation = {value}")).Connections[0].Fragmentation);
        Assert.Contains("connections.lab.children.net.mode: mode = pass with IKEv1 is not built yet",
            Refusal(Conf("version = 1").Replace("local_ts = 10.1.0.0/24", "local_ts = 10.1.0.0/24\n        mode = pass")));
        // Transport mode and AH are built for IKEv1.
        Loads(Conf("version = 1").Replace("local_ts = 10.1.0.0/24", "local_ts = 10.1.0.0/24\n        mode = transport\n        ah_proposals = sha256"));
        Assert.Contains("connections.lab.children.net.local_ts: IKEv1 negotiates one traffic selector per side",
            Refusal(Conf("version = 1").Replace("local_ts = 10.1.0.0/24", "local_ts = 10.1.0.0/24, 10.3.0.0/24")));
        // version = 2 keeps all of them
        Assert.Single(SwanctlLoader.LoadText(Conf("version = 2").Replace("local_ts = 10.1.0.0/24", "local_ts = 10.1.0.0/24, 10.3.0.0/24\n        mode = transport")).Connections);
    }

    [Fact]
    public void Version_2_and_absent_load()
    {
        Assert.Equal(2, SwanctlLoader.LoadText(Conf("version = 2")).Connections[0].Version);
        Assert.Equal(2, SwanctlLoader.LoadText(Conf()).Connections[0].Version);
    }

    [Fact]
    public void Aggressive_yes_and_no_load()
    {
        Assert.True(SwanctlLoader.LoadText(Conf("version = 1\n    aggressive = yes")).Connections[0].Aggressive);
        Assert.False(SwanctlLoader.LoadText(Conf("aggressive = no")).Connections[0].Aggressive);
    }

    [Fact]
    public void Mobike_yes_is_refused_and_no_or_absent_loads_without_mobike()
    {
        Assert.Equal("swanctl.conf:4: connections.lab.mobike: MOBIKE (RFC 4555) is not built yet: set mobike = no (or leave it out)",
            Refusal(Conf("mobike = yes")));
        Assert.False(SwanctlLoader.LoadText(Conf("mobike = no")).Connections[0].Mobike);
        // strongSwan's default is yes; Petrel does not do MOBIKE, and the model says so.
        Assert.False(SwanctlLoader.LoadText(Conf()).Connections[0].Mobike);
    }

    [Fact]
    public void Auth_eap_radius_on_our_side_and_unbuilt_eap_methods_are_refused()
    {
        Assert.Equal("swanctl.conf:6: connections.lab.local.auth: auth = eap-radius is the gateway's: it belongs in remote { } (a client uses eap-mschapv2, eap-tls, eap-md5 or eap)",
            Refusal(Conf(local: "auth = eap-radius")));
        var text = Conf().Replace("    remote {\n      auth = psk", "    remote {\n      auth = eap-ttls");
        Assert.Equal("swanctl.conf:9: connections.lab.remote.auth: EAP method 'ttls' is not built: Petrel does eap-md5, eap-mschapv2 and eap-tls (or eap for any of them)",
            Refusal(text));
    }

    [Theory]
    [InlineData("eap")]
    [InlineData("eap-md5")]
    [InlineData("eap-mschapv2")]
    [InlineData("eap-tls")]
    public void Auth_eap_methods_that_work_load_with_eap_id(string method)
    {
        var text = Conf(local: $"auth = {method}\n      eap_id = carol").Replace("    remote {\n      auth = psk", $"    remote {{\n      auth = {method}\n      eap_id = %any");
        var c = SwanctlLoader.LoadText(text).Connections[0];
        Assert.Equal(method, c.Local.Auth);
        Assert.True(c.Local.IsEap);
        Assert.Equal("carol", c.Local.EapId);
        Assert.Equal("%any", c.Remote.EapId);
    }

    [Theory]
    [InlineData("xauth-pam", "pam")]
    [InlineData("xauth-eap", "eap")]
    public void Xauth_backends_that_are_not_built_are_refused(string method, string backend)
    {
        Assert.Equal($"swanctl.conf:12: connections.lab.remote-2.auth: the XAuth backend '{backend}' is not built: use auth = xauth (or xauth-generic), which checks xauth- and eap- secrets, or xauth-radius",
            Refusal(Conf("version = 1").Replace("    children {", $"    remote-2 {{\n      auth = {method}\n    }}\n    children {{")));
    }

    [Fact]
    public void Xauth_radius_loads_on_the_server_side_with_a_radius_server_and_is_refused_elsewhere()
    {
        const string radius = "petrel {\n  eap-radius {\n    server = 127.0.0.1\n    secret = s3cret\n  }\n}\n";
        var server = Conf("version = 1").Replace("    children {", "    remote-2 {\n      auth = xauth-radius\n    }\n    children {");
        var c = SwanctlLoader.LoadText(server + radius).Connections[0];
        Assert.Equal("xauth-radius", c.XAuthRemote!.Auth);
        Assert.Equal("swanctl.conf:12: connections.lab.remote-2.auth: needs a RADIUS server: add petrel { eap-radius { servers { NAME { address = …, secret = … } } } }",
            Refusal(server));
        var client = Conf("version = 1").Replace("    children {", "    local-2 {\n      auth = xauth-radius\n    }\n    children {");
        Assert.Equal("swanctl.conf:12: connections.lab.local-2.auth: auth = xauth-radius is the XAuth server's: it belongs in remote-N { } (a client uses auth = xauth)",
            Refusal(client + radius));
    }

    [Fact]
    public void Xauth_as_first_round_or_with_ikev2_is_refused()
    {
        Assert.Equal("swanctl.conf:6: connections.lab.local.auth: XAuth is IKEv1: set version = 1 and authenticate the first round with auth = psk",
            Refusal(Conf(local: "auth = xauth")));
        // IKEv2 runs several rounds (RFC 4739), but not XAuth ones.
        Assert.StartsWith("swanctl.conf:12: connections.lab.remote-xauth.auth: XAuth is IKEv1: set version = 1",
            Refusal(Conf().Replace("    children {", "    remote-xauth {\n      auth = xauth\n    }\n    children {")));
    }

    /// <summary>strongSwan's tests/ikev1/xauth-id-psk-config, as moon (server) and carol (client) write it.</summary>
    [Fact]
    public void Xauth_psk_rounds_load_as_strongswan_writes_them()
    {
        var server = SwanctlLoader.LoadText(
            "connections {\n rw {\n  version = 1\n  pools = vip\n  local-psk {\n   auth = psk\n   id = moon.strongswan.org\n  }\n" +
            "  remote-psk {\n   auth = psk\n  }\n  remote-xauth {\n   auth = xauth\n   xauth_id = carol\n  }\n" +
            "  children {\n   net {\n    local_ts = 10.1.0.0/16\n   }\n  }\n }\n}\n" +
            "pools {\n vip {\n  addrs = 10.3.0.1\n }\n}\nsecrets {\n xauth-carol {\n  id = carol\n  secret = 4iChxLT3\n }\n}\n", "swanctl.conf").Connections[0];
        Assert.Equal("psk", server.Local.Auth);
        Assert.Equal("moon.strongswan.org", server.Local.Id);
        Assert.Equal("psk", server.Remote.Auth);
        Assert.Null(server.XAuthLocal);
        Assert.Equal("xauth", server.XAuthRemote!.Auth);
        Assert.Equal("carol", server.XAuthRemote.XAuthId);
        Assert.True(server.ModeConfigPull);

        var client = SwanctlLoader.LoadText(
            "connections {\n home {\n  version = 1\n  vips = 0.0.0.0\n  pull = no\n  remote_addrs = 192.168.0.1\n  local-psk {\n   auth = psk\n   id = carol@strongswan.org\n  }\n" +
            "  local-xauth {\n   auth = xauth\n   xauth_id = carol\n  }\n  remote-psk {\n   auth = psk\n   id = moon.strongswan.org\n  }\n" +
            "  children {\n   home {\n    remote_ts = 10.1.0.0/16\n   }\n  }\n }\n}\n", "swanctl.conf").Connections[0];
        Assert.Equal("carol@strongswan.org", client.Local.Id);
        Assert.Equal("xauth", client.XAuthLocal!.Auth);
        Assert.Equal("carol", client.XAuthLocal.XAuthId);
        Assert.Null(client.XAuthRemote);
        Assert.False(client.ModeConfigPull);
    }

    [Fact]
    public void Ikev1_second_rounds_other_than_xauth_and_third_rounds_are_refused()
    {
        Assert.Equal("swanctl.conf:11: section 'remote-2' in connections.lab: a second IKEv1 round must be auth = xauth (XAuth); other second rounds are not supported by Petrel yet",
            Refusal(Conf("version = 1").Replace("    children {", "    remote-2 {\n      auth = psk\n    }\n    children {")));
        Assert.Equal("swanctl.conf:14: section 'remote-3' in connections.lab: IKEv1 has at most two rounds (Main Mode, then XAuth)",
            Refusal(Conf("version = 1").Replace("    children {", "    remote-2 {\n      auth = xauth\n    }\n    remote-3 {\n      auth = xauth\n    }\n    children {")));
        Assert.Equal("swanctl.conf:14: section 'remote-2' in connections.lab: XAuth on both sides is not supported: one side is the XAuth client (local-N), the other the server (remote-N)",
            Refusal(Conf("version = 1").Replace("    children {", "    local-2 {\n      auth = xauth\n    }\n    remote-2 {\n      auth = xauth\n    }\n    children {")));
    }

    [Fact]
    public void Ocsp_uris_is_refused()
    {
        var text = Conf(tail: "authorities {\n  ca {\n    cacert = ca.pem\n    ocsp_uris = http://ocsp.example.org\n  }\n}\n");
        Assert.Equal("swanctl.conf:21: authorities.ca.ocsp_uris: OCSP is not built yet: remove ocsp_uris (crl_uris works)",
            Refusal(text));
    }

    [Fact]
    public void Cert_uri_base_is_refused()
    {
        var text = Conf(tail: "authorities {\n  ca {\n    cacert = ca.pem\n    cert_uri_base = http://certs.example.org/\n  }\n}\n");
        Assert.Equal("swanctl.conf:21: authorities.ca.cert_uri_base: hash-and-URL certificate lookup is not built yet: remove cert_uri_base",
            Refusal(text));
    }

    [Fact]
    public void Authority_with_crl_uris_only_loads()
    {
        var config = SwanctlLoader.LoadText(Conf(tail: "authorities {\n  ca {\n    cacert = /etc/ca.pem\n    crl_uris = http://crl.example.org/ca.crl\n  }\n}\n"));
        Assert.Single(config.Authorities);
    }

    [Fact]
    public void Values_that_ask_for_nothing_missing_load()
    {
        Loads(Conf("mobike = no"));
        Loads(Conf("aggressive = no"));
        Loads(Conf(local: "auth = pubkey"));
    }
}

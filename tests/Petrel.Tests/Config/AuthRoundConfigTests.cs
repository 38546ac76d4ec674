using Petrel.Config;

namespace Petrel.Tests.Config;

/// <summary>
/// swanctl.conf(5) authentication rounds: connections.NAME.local&lt;suffix&gt; / remote&lt;suffix&gt; (local-1, local-2 …) are
/// rounds in the order written, or in the order of their <c>round</c> keys; each has its own auth, id, certs and eap_id.
/// </summary>
public class AuthRoundConfigTests
{
    private static string Conf(string sections, string version = "") => $$"""
        connections {
          rw {
            {{version}}
            {{sections}}
          }
        }
        """;

    [Fact]
    public void Local_1_and_local_2_are_two_rounds_in_the_order_written()
    {
        var c = SwanctlLoader.LoadText(Conf("""
            local-1 { auth = pubkey
                      id = "C=CH, O=Petrel Test, CN=carol" }
            local-2 { auth = eap-mschapv2
                      eap_id = carol@petrel.test }
            remote { auth = pubkey
                     id = gw.petrel.test }
            """)).Connections[0];
        Assert.Equal(["pubkey", "eap-mschapv2"], c.LocalRounds.Select(r => r.Auth));
        Assert.Equal(["local-1", "local-2"], c.LocalRounds.Select(r => r.Section));
        Assert.Equal("C=CH, O=Petrel Test, CN=carol", c.Local.Id);
        Assert.Same(c.LocalRounds[0], c.Local);
        Assert.Equal("carol@petrel.test", c.LocalRounds[1].EapId);
        Assert.Equal("gw.petrel.test", Assert.Single(c.RemoteRounds).Id);
    }

    [Fact]
    public void Round_keys_sort_the_rounds()
    {
        var c = SwanctlLoader.LoadText(Conf("""
            remote-eap { auth = eap-md5
                         round = 2 }
            remote-psk { auth = psk
                         id = carol
                         round = 1 }
            """)).Connections[0];
        Assert.Equal(["psk", "eap-md5"], c.RemoteRounds.Select(r => r.Auth));
        Assert.Equal("carol", c.Remote.Id);
        Assert.Single(c.LocalRounds);
        Assert.Equal("pubkey", c.Local.Auth);
    }

    [Fact]
    public void A_round_keeps_the_keys_of_its_side_and_refuses_others()
    {
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf("""
            local-1 { auth = psk }
            local-2 { auth = pubkey
                      cacerts = ca.pem }
            """)));
        Assert.Contains("swanctl.conf:6", e.Message);
        Assert.Contains("cacerts", e.Message);
    }

    [Fact]
    public void A_round_with_an_unknown_method_names_its_line()
    {
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf("""
            remote-1 { auth = pubkey }
            remote-2 { auth = eap-sim }
            """)));
        Assert.Contains("swanctl.conf:5", e.Message);
        Assert.Contains("EAP method 'sim' is not built", e.Message);
    }

    [Fact]
    public void A_second_ikev1_round_other_than_xauth_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf("""
            local { auth = psk }
            remote { auth = psk }
            remote-2 { auth = psk }
            """, version: "version = 1")));
        Assert.Contains("swanctl.conf:6", e.Message);
        Assert.Contains("a second IKEv1 round must be auth = xauth", e.Message);
    }

    [Fact]
    public void A_section_that_is_no_round_is_still_unknown()
    {
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf("""
            local_x { auth = psk }
            """)));
        Assert.Contains("unknown section 'local_x'", e.Message);
    }
}

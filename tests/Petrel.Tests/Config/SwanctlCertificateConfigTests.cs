using Petrel.Config;

namespace Petrel.Tests.Config;

/// <summary>
/// The certificate parts of swanctl.conf as swanctl.conf(5) documents them: local/remote certs and cacerts
/// resolved in the config's x509/ and x509ca/ folders, identities as DNs (quoted or not, with wildcards),
/// authorities with cacert and crl_uris; every mistake named with its file and line.
/// </summary>
public class SwanctlCertificateConfigTests
{
    private static string Conf(string local, string remote, string tail = "") => $$"""
        connections {
          gw {
            remote_addrs = %any
            local {
              auth = pubkey
              {{local}}
            }
            remote {
              auth = pubkey
              {{remote}}
            }
            children {
              net {
                local_ts = 10.1.0.0/24
              }
            }
          }
        }
        {{tail}}
        """;

    private static ConfigException Fails(string text) =>
        Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(text, "swanctl.conf", "/etc/swanctl"));

    [Fact]
    public void Certs_and_cacerts_resolve_in_the_config_folders()
    {
        var c = SwanctlLoader.LoadText(Conf("certs = moonCert.pem", "certs = sunCert.der, /pinned/peer.pem\n      cacerts = strongswanCert.pem"), directory: "/etc/swanctl").Connections[0];
        Assert.Equal(["/etc/swanctl/x509/moonCert.pem"], c.Local.Certs);
        Assert.Equal(["/etc/swanctl/x509/sunCert.der", "/pinned/peer.pem"], c.Remote.Certs);
        Assert.Equal(["/etc/swanctl/x509ca/strongswanCert.pem"], c.Remote.CaCerts);
        Assert.Equal("pubkey", c.Remote.Auth);
    }

    [Theory]
    [InlineData("id = \"C=CH, O=strongSwan, CN=moon.strongswan.org\"", "C=CH, O=strongSwan, CN=moon.strongswan.org")]
    [InlineData("id = C=CH, O=strongSwan, CN=moon.strongswan.org", "C=CH, O=strongSwan, CN=moon.strongswan.org")]
    [InlineData("id = \"C=CH, O=strongSwan, CN=*\"", "C=CH, O=strongSwan, CN=*")]
    [InlineData("id = moon.strongswan.org", "moon.strongswan.org")]
    [InlineData("id = @moon.strongswan.org", "@moon.strongswan.org")]
    [InlineData("id = carol@strongswan.org", "carol@strongswan.org")]
    [InlineData("id = 198.18.0.1", "198.18.0.1")]
    [InlineData("id = \"CN=with # hash\"", "CN=with # hash")]
    public void Identities_are_kept_as_written_when_strongswan_would_parse_them(string line, string expected)
    {
        var c = SwanctlLoader.LoadText(Conf(line, line)).Connections[0];
        Assert.Equal(expected, c.Local.Id);
        Assert.Equal(expected, c.Remote.Id);
        var id = Petrel.Ike.Wire.Identity.Parse(c.Remote.Id!);
        Assert.Equal(expected.Contains('=') ? Petrel.Ike.Wire.IdType.DerAsn1Dn : id.Type, id.Type);
    }

    [Fact]
    public void A_malformed_dn_identity_is_an_error_with_file_and_line()
    {
        var e = Fails(Conf("", "id = \"C=CH, XYZ=1, CN=moon\""));
        Assert.StartsWith("swanctl.conf:10: ", e.Message);
        Assert.Contains("is not a valid distinguished name", e.Message);
    }

    [Fact]
    public void One_line_sections_load_as_strongswan_reads_them()
    {
        var config = SwanctlLoader.LoadText("""
            connections {
              gw {
                remote_addrs = 198.18.0.2
                local { auth = pubkey }
                remote { id = left }
                children { net { local_ts = 10.1.0.0/24 } }
              }
            }
            """, "swanctl.conf", "/etc/swanctl");
        var c = config.Connections[0];
        Assert.Equal("left", c.Remote.Id);
        Assert.Equal(["10.1.0.0/24"], c.Children[0].LocalTs);
        // strongSwan reads "auth = pubkey certs = x.pem" as one value too, so it is not an auth method.
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText("connections {\n gw {\n  local { auth = pubkey certs = x.pem }\n }\n}", "swanctl.conf"));
        Assert.StartsWith("swanctl.conf:3: ", e.Message);
    }

    [Fact]
    public void Authorities_take_cacert_and_crl_uris()
    {
        var config = SwanctlLoader.LoadText(Conf("", "", """
            authorities {
              strongswan {
                cacert = strongswanCert.pem
                crl_uris = http://crl.strongswan.org/strongswan.crl, file:///var/crl/ca.crl, ca-local.crl
              }
              other {
                file = /abs/otherCa.pem
              }
            }
            """), directory: "/etc/swanctl");
        var a = config.Authorities[0];
        Assert.Equal("/etc/swanctl/x509ca/strongswanCert.pem", a.Settings["cacert"]);
        Assert.Equal(["http://crl.strongswan.org/strongswan.crl", "/var/crl/ca.crl", "/etc/swanctl/x509crl/ca-local.crl"], a.CrlUris);
        Assert.Equal("/abs/otherCa.pem", config.Authorities[1].Settings["cacert"]);

        Assert.Equal("swanctl.conf:20: authorities.x: 'cacert' (the CA certificate, in x509ca/) is missing",
            Fails(Conf("", "", "authorities {\n x {\n  crl_uris = http://a/b.crl\n }\n}")).Message);
        Assert.Contains("swanctl.conf:22: authorities.x.crl_uris: 'ftp://a/b.crl' is not a CRL URI", Fails(Conf("", "", "authorities {\n x {\n  cacert = a.pem\n  crl_uris = ftp://a/b.crl\n }\n}")).Message);
        Assert.Equal("swanctl.conf:22: key 'handle' in authorities.x is not supported by Petrel yet",
            Fails(Conf("", "", "authorities {\n x {\n  cacert = a.pem\n  handle = 0a\n }\n}")).Message);
    }
}

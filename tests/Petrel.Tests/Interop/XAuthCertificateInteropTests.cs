using System.Net;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="XAuthCertificateInteropTests"/>.</summary>
public sealed class XAuthCertificateLab : LabFixture
{
    protected override string Tag => "xc";
}

/// <summary>
/// XAuth after certificate authentication against strongSwan 5.9.8, both roles, written as strongSwan writes it
/// (`local-1 { auth = pubkey } local-2 { auth = xauth }` on the client, `remote-1 { auth = pubkey } remote-2 { auth =
/// xauth }` on the gateway; strongSwan's tests/ikev1/xauth-rsa): Main Mode with RSA certificates negotiates
/// XAUTHInitRSA, then XAuth as "carol" and Mode Config give the roadwarrior (left) 10.x.0.1, from which it pings the
/// gateway's subnet and sends 1 MB of TCP.
/// </summary>
[Trait("Category", "Interop")]
public sealed class XAuthCertificateInteropTests(XAuthCertificateLab fixture, ITestOutputHelper output) : IClassFixture<XAuthCertificateLab>
{
    private const string LeftDn = "C=CH, O=Petrel Lab, CN=left.petrel.test";
    private const string RightDn = "C=CH, O=Petrel Lab, CN=right.petrel.test";
    private const string Password = "cert+xauth 7Hq2";

    private LabPki Pki()
    {
        var lab = fixture.Lab;
        var pki = new LabPki(Path.Combine(lab.WorkDir, "pki-xauth-rsa"), LabPkiTool.StrongSwan, "rsa");
        if (!File.Exists(Path.Combine(pki.Dir, "x509ca", "labca.pem")))
        {
            pki.Ca("labca", "C=CH, O=Petrel Lab, CN=Petrel Lab RSA CA");
            pki.Issue("labca", "left", LeftDn, ["left.petrel.test"]);
            pki.Issue("labca", "right", RightDn, ["right.petrel.test"]);
        }
        return pki;
    }

    private static string Client(LabSite local, LabSite remote, string password) => $$"""
        connections {
          home {
            version = 1
            local_addrs = {{local.OuterV4}}
            remote_addrs = {{remote.OuterV4}}
            encap = yes
            dpd_delay = 0
            vips = 0.0.0.0
            proposals = aes128-sha256-modp2048
            local-1 {
              auth = pubkey
              certs = left.pem
              id = "{{LeftDn}}"
            }
            local-2 {
              auth = xauth
              xauth_id = carol
            }
            remote-1 {
              auth = pubkey
              id = "{{RightDn}}"
            }
            children {
              net {
                remote_ts = {{remote.SubnetV4}}
                esp_proposals = aes128-sha256
              }
            }
          }
        }
        secrets {
          xauth {
            id = carol
            secret = "{{password}}"
          }
        }
        """;

    private static string Gateway(LabSite local, LabSite remote, string pool) => $$"""
        connections {
          rw {
            version = 1
            local_addrs = {{local.OuterV4}}
            remote_addrs = {{remote.OuterV4}}
            encap = yes
            dpd_delay = 0
            pools = vip
            proposals = aes128-sha256-modp2048
            local-1 {
              auth = pubkey
              certs = right.pem
              id = "{{RightDn}}"
            }
            remote-1 {
              auth = pubkey
              id = "{{LeftDn}}"
            }
            remote-2 {
              auth = xauth
            }
            children {
              net {
                local_ts = {{local.SubnetV4}}
                esp_proposals = aes128-sha256
              }
            }
          }
        }
        secrets {
          xauth-carol {
            id = carol
            secret = "{{Password}}"
          }
        }
        pools {
          vip {
            addrs = {{pool}}
          }
        }
        """;

    [RootTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Certificates_then_xauth_give_a_virtual_ip_and_traffic_flows(bool petrelIsGateway)
    {
        var lab = fixture.Lab;
        var pki = Pki();
        string pool = petrelIsGateway ? "10.3.0.0/24" : "10.4.0.0/24", vip = petrelIsGateway ? "10.3.0.1" : "10.4.0.1";
        string gatewayConf = Gateway(lab.Right, lab.Left, pool), clientConf = Client(lab.Left, lab.Right, Password);
        string gatewayCreds = pki.Site("right", ["right"], ["labca"]), clientCreds = pki.Site("left", ["left"], ["labca"]);
        using var gateway = petrelIsGateway
            ? (IDisposable)PetrelPeer.Start(lab, lab.Right, gatewayConf, gatewayCreds)
            : StrongSwanPeer.Start(lab, lab.Right, gatewayConf, gatewayCreds);
        using var client = petrelIsGateway
            ? (IDisposable)StrongSwanPeer.Start(lab, lab.Left, clientConf, clientCreds)
            : PetrelPeer.Start(lab, lab.Left, clientConf, clientCreds);
        var petrel = (PetrelPeer)(petrelIsGateway ? gateway : client);
        var strongswan = (StrongSwanPeer)(petrelIsGateway ? client : gateway);
        try
        {
            if (petrelIsGateway) strongswan.Initiate("net", 30).EnsureSuccess();
            else petrel.Up("home", "net").EnsureSuccess();
            string log = petrel.Log();
            Assert.Contains("RSA signature with XAuth (XAUTHInitRSA) successful", log);
            Assert.Contains(petrelIsGateway ? "XAuth authentication of 'carol' successful" : "XAuth authentication of 'carol' (myself) successful", log);
            // strongSwan as responder names the method it selected (XAuthInitRSA); as initiator it does not log it.
            if (!petrelIsGateway) Assert.Contains("XAuthInitRSA", strongswan.Log());
            var sa = petrel.ListSas().Find(petrelIsGateway ? "rw" : "home") ?? throw new InvalidOperationException("no IKE SA on Petrel");
            Assert.Equal("ESTABLISHED", sa.State);
            Assert.Equal(petrelIsGateway ? LeftDn : RightDn, (string?)sa.Raw["remote_id"]);
            Assert.Equal([vip], sa.Raw[petrelIsGateway ? "remote_vips" : "local_vips"]!.AsArray().Select(v => (string?)v));
            Assert.Equal("carol", (string?)sa.Raw[petrelIsGateway ? "remote_xauth_id" : "local_xauth_id"]);
            Assert.Contains(vip, strongswan.ListSas());

            var ping = lab.Exec(lab.Left, TimeSpan.FromSeconds(30), "ping", "-4", "-c", "5", "-i", "0.2", "-W", "3", "-I", vip, lab.Right.LanV4);
            Assert.True(ping.Succeeded, ping.StandardOutput + ping.StandardError);
            Assert.Contains("5 received", ping.StandardOutput);
            var tcp = TcpTransfer.Run(lab.Left, lab.Right, 1024 * 1024, source: IPAddress.Parse(vip));
            Assert.True(tcp.ChecksumsMatch, tcp.ToString());
            output.WriteLine($"certificates + XAuth, Petrel as {(petrelIsGateway ? "gateway" : "client")}: ping 5/5, TCP {tcp}");
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }
}

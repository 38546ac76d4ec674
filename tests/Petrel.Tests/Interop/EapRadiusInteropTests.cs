using System.Net;
using System.Text.RegularExpressions;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// auth = eap-radius end to end: strongSwan 5.9.8 (left, the roadwarrior, vips = 0.0.0.0) authenticates to Petrel
/// (right, the gateway, certificate) with EAP-MSCHAPv2, EAP-TLS or EAP-MD5, which Petrel passes through to a real
/// FreeRADIUS 3 in its namespace (RFC 3579: Message-Authenticator, State; MSK from the MPPE keys). The first RADIUS
/// server configured (higher preference) does not answer, so every run also fails over. The client gets a virtual
/// IP from the pool (or FreeRADIUS's Framed-IP-Address), pings and sends 1 MB of TCP from it through the tunnel, and
/// FreeRADIUS's detail file then holds Start, Interim-Update and Stop with Petrel's CHILD_SA byte and packet counts.
/// A wrong password is refused with FreeRADIUS's Access-Reject named in Petrel's log.
/// </summary>
[Trait("Category", "Interop")]
public sealed partial class EapRadiusInteropTests(EapRadiusInteropLab fixture, ITestOutputHelper output) : IClassFixture<EapRadiusInteropLab>
{
    private const string LeftDn = "C=CH, O=Petrel Lab, CN=left.petrel.test";
    private const string RightDn = "C=CH, O=Petrel Lab, CN=right.petrel.test";
    private const string Password = "carol's RADIUS password";
    private const string RadiusSecret = "petrel-radius-secret-42";
    private static readonly ProposalPair Proposals = ProposalPair.Gcm128;

    private LabPki Pki()
    {
        var lab = fixture.Lab;
        var pki = new LabPki(Path.Combine(lab.WorkDir, "pki-radius"), LabPkiTool.StrongSwan, "ecdsa");
        if (!File.Exists(Path.Combine(pki.Dir, "x509ca", "labca.pem")))
        {
            pki.Ca("labca", "C=CH, O=Petrel Lab, CN=Petrel Lab CA");
            pki.Issue("labca", "left", LeftDn, ["left.petrel.test"]);
            pki.Issue("labca", "right", RightDn, ["right.petrel.test", lab.Right.OuterV4]);
        }
        return pki;
    }

    private FreeRadiusServer Radius(LabPki pki, IReadOnlyDictionary<string, string>? replies = null)
    {
        var lab = fixture.Lab;
        return FreeRadiusServer.Start(Path.Combine(lab.Right.WorkDir, "freeradius"), RadiusSecret,
            new Dictionary<string, string> { ["carol"] = Password, ["dave"] = "dave's password" },
            new FreeRadiusOptions
            {
                Starter = (argv, log) => lab.Start(lab.Right, log, argv),
                // The server's TLS certificate is the gateway's: strongSwan checks it against the IKE responder's identity.
                Tls = (Path.Combine(pki.Dir, "x509", "right.pem"), Path.Combine(pki.Dir, "private", "right.pem"), Path.Combine(pki.Dir, "x509ca", "labca.pem")),
                Replies = replies ?? new Dictionary<string, string>(),
            });
    }

    private static string GatewayConf(LabSite local, LabSite remote, FreeRadiusServer radius) => $$"""
        connections {
          rw {
            version = 2
            local_addrs = {{local.OuterV4}}
            remote_addrs = {{remote.OuterV4}}
            encap = yes
            proposals = {{Proposals.Ike}}
            dpd_delay = 0
            pools = rw
            local {
              auth = pubkey
              certs = right.pem
              id = "{{RightDn}}"
            }
            remote {
              auth = eap-radius
              eap_id = %any
            }
            children {
              net {
                local_ts = {{local.SubnetV4}}
                remote_ts = dynamic
                esp_proposals = {{Proposals.Esp}}
              }
            }
          }
        }
        pools {
          rw {
            addrs = 10.3.0.0/24
            dns = 10.2.0.53
          }
        }
        petrel {
          eap-radius {
            accounting = yes
            accounting_interval = 2s
            nas_identifier = petrel-gw
            retransmit_timeout = 0.5
            retransmit_base = 1.0
            retransmit_tries = 2
            servers {
              silent {
                address = 127.0.0.1
                auth_port = 9
                acct_port = 9
                secret = "{{radius.Secret}}"
                preference = 10
              }
              freeradius {
                address = 127.0.0.1
                auth_port = {{radius.AuthPort}}
                acct_port = {{radius.AcctPort}}
                secret = "{{radius.Secret}}"
              }
            }
          }
        }
        """;

    private static string ClientConf(LabSite local, LabSite remote, string method, string? id, string password) => $$"""
        connections {
          rw {
            version = 2
            local_addrs = {{local.OuterV4}}
            remote_addrs = {{remote.OuterV4}}
            encap = yes
            proposals = {{Proposals.Ike}}
            dpd_delay = 0
            vips = 0.0.0.0
            local {
              auth = {{method}}
              {{(id is null ? "certs = left.pem" : $"id = {id}")}}
            }
            remote {
              auth = pubkey
              id = "{{RightDn}}"
            }
            children {
              net {
                local_ts = dynamic
                remote_ts = {{remote.SubnetV4}}
                esp_proposals = {{Proposals.Esp}}
              }
            }
          }
        }
        secrets {
          eap-user {
            id = {{id ?? "nobody"}}
            secret = "{{password}}"
          }
        }
        """;

    public static TheoryData<string> Methods => new() { "eap-mschapv2", "eap-tls", "eap-md5" };

    [RootTheory]
    [MemberData(nameof(Methods))]
    public void StrongSwan_client_authenticates_through_Petrel_to_FreeRadius_and_is_accounted(string method)
    {
        var lab = fixture.Lab;
        var pki = Pki();
        bool tls = method == "eap-tls";
        string user = tls ? LeftDn : "carol";
        using var radius = Radius(pki);
        using var petrel = PetrelPeer.Start(lab, lab.Right, GatewayConf(lab.Right, lab.Left, radius), pki.Site("right", ["right"], ["labca"]));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, ClientConf(lab.Left, lab.Right, method, tls ? null : "carol", Password),
            pki.Site("left", tls ? ["left"] : [], ["labca"]));
        try
        {
            strongswan.Initiate("net", 40).EnsureSuccess();
            string log = petrel.Log();
            string relayed = method switch { "eap-mschapv2" => "EAP-MSCHAPv2", "eap-tls" => "EAP-TLS", _ => "EAP-MD5" };
            Assert.Contains($"EAP-RADIUS ({relayed}) authentication of '{user}' successful, {(method == "eap-md5" ? "no MSK" : "MSK")} established", log);
            Assert.Contains("RADIUS server 'silent' (127.0.0.1) did not answer (2 tries); trying the next server", log);
            Assert.Contains("deferred until the RADIUS server answers", log);
            var sa = petrel.ListSas().Find("rw") ?? throw new InvalidOperationException("no IKE SA 'rw' on Petrel");
            Assert.Equal(user, (string?)sa.Raw["remote_eap_id"]);
            Assert.Equal(["10.3.0.1"], sa.Raw["remote_vips"]!.AsArray().Select(v => (string?)v));
            Assert.Contains(method switch
            {
                "eap-mschapv2" => "EAP method EAP_MSCHAPV2 succeeded, MSK established",
                "eap-tls" => "EAP method EAP_TLS succeeded, MSK established",
                _ => "EAP method EAP_MD5 succeeded, no MSK established",
            }, strongswan.Log());
            Assert.Contains("processing INTERNAL_IP4_DNS attribute", strongswan.Log()); // the pool's DNS server reached the client

            var ping = lab.Exec(lab.Left, TimeSpan.FromSeconds(30), "ping", "-4", "-c", "5", "-i", "0.2", "-W", "3", "-I", "10.3.0.1", lab.Right.LanV4);
            Assert.True(ping.Succeeded, ping.StandardOutput + ping.StandardError);
            var tcp = TcpTransfer.Run(lab.Left, lab.Right, 1024 * 1024, source: IPAddress.Parse("10.3.0.1"));
            Assert.True(tcp.ChecksumsMatch, tcp.ToString());
            output.WriteLine($"{method} via RADIUS: ping 5/5, TCP {tcp}");
            Thread.Sleep(2500); // at least one Interim-Update (accounting_interval = 2s)

            var child = petrel.ListSas().Find("rw")!.Children.Single();
            strongswan.Terminate("rw").EnsureSuccess();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            string detail = "";
            while (DateTime.UtcNow < deadline && !(detail = radius.Detail()).Contains("Acct-Status-Type = Stop")) Thread.Sleep(200);
            output.WriteLine(detail);
            Assert.Contains("Acct-Status-Type = Start", detail);
            Assert.Contains("Acct-Status-Type = Interim-Update", detail);
            Assert.Contains($"User-Name = \"{user}\"", detail);
            Assert.Contains("Framed-IP-Address = 10.3.0.1", detail);
            Assert.Contains("NAS-Identifier = \"petrel-gw\"", detail);
            var stop = detail[detail.LastIndexOf("Acct-Status-Type = Stop", StringComparison.Ordinal)..];
            Assert.Contains($"Acct-Input-Octets = {child.BytesIn}", stop);
            Assert.Contains($"Acct-Output-Octets = {child.BytesOut}", stop);
            Assert.Contains($"Acct-Input-Packets = {child.PacketsIn}", stop);
            Assert.Contains($"Acct-Output-Packets = {child.PacketsOut}", stop);
            Assert.Contains("Acct-Terminate-Cause = User-Request", stop);
            Assert.True(child.BytesIn > 1024 * 1024, $"Petrel counted {child.BytesIn} bytes in");
            Assert.Contains("lease 10.3.0.1 of 'carol' went offline".Replace("carol", user), petrel.Log());
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            output.WriteLine(radius.Log()[^Math.Min(radius.Log().Length, 20000)..]);
            throw;
        }
    }

    [RootFact]
    public void A_wrong_password_is_refused_by_FreeRadius_with_the_reason_in_Petrels_log()
    {
        var lab = fixture.Lab;
        var pki = Pki();
        using var radius = Radius(pki);
        using var petrel = PetrelPeer.Start(lab, lab.Right, GatewayConf(lab.Right, lab.Left, radius), pki.Site("right", ["right"], ["labca"]));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, ClientConf(lab.Left, lab.Right, "eap-mschapv2", "carol", "not carol's password"), pki.Site("left", [], ["labca"]));
        try
        {
            Assert.False(strongswan.Initiate("net", 40).Succeeded);
            string log = petrel.Log();
            Assert.Contains("authentication of 'carol' failed: RADIUS server 'freeradius' (127.0.0.1) rejected 'carol' (Access-Reject", log);
            Assert.Null(petrel.ListSas().Find("rw"));
            Assert.DoesNotContain("Acct-Status-Type = Start", radius.Detail());
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    [RootFact]
    public void Framed_ip_address_from_FreeRadius_takes_precedence_over_the_pool()
    {
        var lab = fixture.Lab;
        var pki = Pki();
        using var radius = Radius(pki, new Dictionary<string, string> { ["dave"] = "Framed-IP-Address = 10.9.0.77" });
        using var petrel = PetrelPeer.Start(lab, lab.Right, GatewayConf(lab.Right, lab.Left, radius), pki.Site("right", ["right"], ["labca"]));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, ClientConf(lab.Left, lab.Right, "eap-mschapv2", "dave", "dave's password"), pki.Site("left", [], ["labca"]));
        try
        {
            strongswan.Initiate("net", 40).EnsureSuccess();
            var sa = petrel.ListSas().Find("rw") ?? throw new InvalidOperationException("no IKE SA 'rw' on Petrel");
            Assert.Equal(["10.9.0.77"], sa.Raw["remote_vips"]!.AsArray().Select(v => (string?)v));
            Assert.Contains("assigning virtual IP 10.9.0.77 to peer 'dave' from the RADIUS server (Framed-IP-Address)", petrel.Log());
            var ping = lab.Exec(lab.Left, TimeSpan.FromSeconds(30), "ping", "-4", "-c", "3", "-i", "0.2", "-W", "3", "-I", "10.9.0.77", lab.Right.LanV4);
            Assert.True(ping.Succeeded, ping.StandardOutput + ping.StandardError);
            Assert.Matches(new Regex(@"""online"":\s*0"), petrel.Cli("list-pools", "--json").EnsureSuccess().StandardOutput);
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }
}

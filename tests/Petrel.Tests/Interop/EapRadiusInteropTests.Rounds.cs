using System.Net;
using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>
/// EAP-RADIUS as the second authentication round (RFC 4739: strongSwan's local-1 certificate then local-2
/// EAP-MSCHAPv2, Petrel's remote-1 pubkey then remote-2 eap-radius), `petrel reload` applying a changed RADIUS secret
/// and enabling DAE, and RFC 5176 Dynamic Authorization from FreeRADIUS's radclient: CoA-Request with Session-Timeout
/// (CoA-ACK), Disconnect-Request (Disconnect-ACK, the IKE SA goes, Acct-Terminate-Cause Admin-Reset) and one for a
/// user with no session (Disconnect-NAK).
/// </summary>
public sealed partial class EapRadiusInteropTests
{
    private const string DaeSecret = "petrel-dae-secret";

    /// <summary>The gateway: remote-1 pubkey then remote-2 eap-radius (or one eap-radius round), FreeRADIUS with <paramref name="secret"/>.</summary>
    private static string GatewayConf2(LabSite local, LabSite remote, FreeRadiusServer radius, bool rounds, string secret, bool dae) => $$"""
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
            {{(rounds ? $$"""
            remote-1 {
              auth = pubkey
              id = "{{LeftDn}}"
            }
            remote-2 {
              auth = eap-radius
            }
            """ : """
            remote {
              auth = eap-radius
              eap_id = %any
            }
            """)}}
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
          }
        }
        petrel {
          eap-radius {
            accounting = yes
            nas_identifier = petrel-gw
            retransmit_timeout = 0.5
            retransmit_base = 1.0
            retransmit_tries = 2
            servers {
              freeradius {
                address = 127.0.0.1
                auth_port = {{radius.AuthPort}}
                acct_port = {{radius.AcctPort}}
                secret = "{{secret}}"
              }
            }
            {{(dae ? $$"""
            dae {
              enable = yes
              listen = 127.0.0.1
              port = 3799
              secret = "{{DaeSecret}}"
            }
            """ : "")}}
          }
        }
        """;

    private static string RoundsClientConf(LabSite local, LabSite remote) => $$"""
        connections {
          rw {
            version = 2
            local_addrs = {{local.OuterV4}}
            remote_addrs = {{remote.OuterV4}}
            encap = yes
            proposals = {{Proposals.Ike}}
            dpd_delay = 0
            vips = 0.0.0.0
            local-1 {
              auth = pubkey
              certs = left.pem
              id = "{{LeftDn}}"
            }
            local-2 {
              auth = eap-mschapv2
              id = carol
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
          eap-carol {
            id = carol
            secret = "{{Password}}"
          }
        }
        """;

    [RootFact]
    public void StrongSwan_client_with_a_certificate_then_eap_radius_in_round_two_is_passed_to_FreeRadius_and_listed_with_both_rounds()
    {
        var lab = fixture.Lab;
        var pki = Pki();
        using var radius = Radius(pki);
        using var petrel = PetrelPeer.Start(lab, lab.Right, GatewayConf2(lab.Right, lab.Left, radius, rounds: true, radius.Secret, dae: false),
            pki.Site("right", ["right"], ["labca"]));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, RoundsClientConf(lab.Left, lab.Right), pki.Site("left", ["left"], ["labca"]));
        try
        {
            strongswan.Initiate("net", 40).EnsureSuccess();
            string log = petrel.Log();
            Assert.Contains($"authentication round 1 of 2 of '{LeftDn}' successful, round 2 follows (remote-2, auth = eap-radius)", log);
            Assert.Contains("authentication round 2 of 2 (remote-2): peer 'carol' authenticates with EAP (eap-radius); asking EAP-RADIUS", log);
            Assert.Contains("EAP-RADIUS (EAP-MSCHAPv2) authentication of 'carol' successful, MSK established", log);
            Assert.Contains("authentication round 2 of 2 (remote-2, auth = eap-radius) of 'carol' successful", log);

            var sa = petrel.ListSas().Find("rw") ?? throw new InvalidOperationException("no IKE SA 'rw' on Petrel");
            Assert.Equal("carol", (string?)sa.Raw["remote_id"]);
            Assert.Equal("carol", (string?)sa.Raw["remote_eap_id"]);
            Assert.Equal([("1", "pubkey", LeftDn), ("2", "eap-radius", "carol")], sa.Raw["auth_rounds"]!.AsArray()
                .Where(r => (string?)r!["side"] == "remote").Select(r => (r!["round"]!.ToString(), (string)r["auth"]!, (string)r["id"]!)));
            Assert.Equal(["10.3.0.1"], sa.Raw["remote_vips"]!.AsArray().Select(v => (string?)v));
            string text = petrel.Cli("list-sas").EnsureSuccess().StandardOutput;
            Assert.Contains($"remote round 1: pubkey '{LeftDn}'", text);
            Assert.Contains("remote round 2: eap-radius 'carol' (EAP identity 'carol')", text);

            var ping = lab.Exec(lab.Left, TimeSpan.FromSeconds(30), "ping", "-4", "-c", "5", "-i", "0.2", "-W", "3", "-I", "10.3.0.1", lab.Right.LanV4);
            Assert.True(ping.Succeeded, ping.StandardOutput + ping.StandardError);
            var tcp = TcpTransfer.Run(lab.Left, lab.Right, 1024 * 1024, source: IPAddress.Parse("10.3.0.1"));
            Assert.True(tcp.ChecksumsMatch, tcp.ToString());
            output.WriteLine($"certificate + eap-radius rounds: ping 5/5, TCP {tcp}");
            Assert.Contains("Acct-Status-Type = Start", WaitForDetail(radius, "Acct-Status-Type = Start"));
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
    public void Reload_applies_a_new_radius_secret_and_dae_then_radclient_changes_and_disconnects_the_session()
    {
        var lab = fixture.Lab;
        var pki = Pki();
        using var radius = Radius(pki);
        // The running daemon starts with a secret FreeRADIUS does not share: its requests are dropped, the client is refused.
        using var petrel = PetrelPeer.Start(lab, lab.Right, GatewayConf2(lab.Right, lab.Left, radius, rounds: false, "not-the-secret", dae: false),
            pki.Site("right", ["right"], ["labca"]));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, ClientConf(lab.Left, lab.Right, "eap-mschapv2", "carol", Password), pki.Site("left", [], ["labca"]));
        try
        {
            Assert.False(strongswan.Initiate("net", 40).Succeeded);
            Assert.Contains("RADIUS server 'freeradius' (127.0.0.1) did not answer (2 tries)", petrel.Log());

            petrel.Reload(GatewayConf2(lab.Right, lab.Left, radius, rounds: false, radius.Secret, dae: true));
            string log = petrel.Log();
            Assert.Contains("EAP-RADIUS settings reloaded: RADIUS server 'freeradius' (127.0.0.1), accounting on", log);
            Assert.Contains("RADIUS DAE (RFC 5176) listening on 127.0.0.1:3799", log);

            strongswan.Initiate("net", 40).EnsureSuccess();
            Assert.Contains("EAP-RADIUS (EAP-MSCHAPv2) authentication of 'carol' successful", petrel.Log());
            var ping = lab.Exec(lab.Left, TimeSpan.FromSeconds(30), "ping", "-4", "-c", "3", "-i", "0.2", "-W", "3", "-I", "10.3.0.1", lab.Right.LanV4);
            Assert.True(ping.Succeeded, ping.StandardOutput + ping.StandardError);
            string detail = WaitForDetail(radius, "Acct-Status-Type = Start");
            string session = System.Text.RegularExpressions.Regex.Match(detail, "Acct-Session-Id = \"([^\"]+)\"").Groups[1].Value;
            Assert.NotEmpty(session);

            var coa = RadClient(lab, "coa", "User-Name = \"carol\"", "Session-Timeout = 3000");
            Assert.Contains("Received CoA-ACK", coa.StandardOutput + coa.StandardError);
            var sa = petrel.ListSas().Find("rw")!;
            Assert.InRange((long)sa.Raw["expire_seconds"]!, 2900, 3000);

            var disconnect = RadClient(lab, "disconnect", "User-Name = \"carol\"", $"Acct-Session-Id = \"{session}\"");
            output.WriteLine(disconnect.StandardOutput + disconnect.StandardError);
            Assert.Contains("Received Disconnect-ACK", disconnect.StandardOutput + disconnect.StandardError);
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (DateTime.UtcNow < deadline && petrel.ListSas().Find("rw") is not null) Thread.Sleep(200);
            Assert.Null(petrel.ListSas().Find("rw"));
            Assert.Contains($"RADIUS Disconnect-Request for 'carol', session {session}: deleting IKE_SA", petrel.Log());
            var stop = WaitForDetail(radius, "Acct-Status-Type = Stop");
            Assert.Contains("Acct-Terminate-Cause = Admin-Reset", stop[stop.LastIndexOf("Acct-Status-Type = Stop", StringComparison.Ordinal)..]);
            deadline = DateTime.UtcNow.AddSeconds(15);
            while (DateTime.UtcNow < deadline && !strongswan.Log().Contains("received DELETE for IKE_SA", StringComparison.Ordinal)) Thread.Sleep(200);
            Assert.Contains("received DELETE for IKE_SA", strongswan.Log());

            var none = RadClient(lab, "disconnect", "User-Name = \"carol\"");
            Assert.Contains("Received Disconnect-NAK", none.StandardOutput + none.StandardError);
            Assert.Contains("Session-Context-Not-Found", none.StandardOutput + none.StandardError);
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            output.WriteLine(radius.Log()[^Math.Min(radius.Log().Length, 20000)..]);
            throw;
        }
    }

    /// <summary>FreeRADIUS's radclient in Petrel's namespace sends one DAE request to Petrel's port 3799 and prints the answer.</summary>
    private CommandResult RadClient(NamespacePair lab, string command, params string[] attributes)
    {
        string file = Path.Combine(lab.Right.WorkDir, $"radclient-{Guid.NewGuid():N}.txt");
        File.WriteAllText(file, string.Join("\n", attributes) + "\n");
        var result = lab.Exec(lab.Right, TimeSpan.FromSeconds(30), "radclient", "-x", "-r", "2", "-t", "3", "-f", file, "127.0.0.1:3799", command, DaeSecret);
        output.WriteLine($"radclient {command}: {result.StandardOutput}{result.StandardError}");
        return result;
    }

    private static string WaitForDetail(FreeRadiusServer radius, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string detail;
        while (!(detail = radius.Detail()).Contains(what, StringComparison.Ordinal) && DateTime.UtcNow < deadline) Thread.Sleep(200);
        return detail;
    }
}

using System.Net;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="XAuthRadiusInteropTests"/>: strongSwan (left) as the XAuth client, Petrel (right) as the gateway, FreeRADIUS beside Petrel.</summary>
public sealed class XAuthRadiusLab : LabFixture
{
    protected override string Tag => "xr";
}

/// <summary>
/// auth = xauth-radius end to end: strongSwan 5.9.8 (left, IKEv1 Main Mode with a PSK, then XAuth as "carol" or
/// "dave", vips = 0.0.0.0) authenticates to Petrel (right), which checks the XAuth user name and password with a real
/// FreeRADIUS 3 in its namespace (PAP: User-Name, User-Password hidden with the shared secret, Message-Authenticator),
/// as strongSwan's eap-radius XAuth backend does. The first RADIUS server configured does not answer, so each run also
/// fails over. The client gets its virtual IP from the pool or from FreeRADIUS's Framed-IP-Address, pings and sends
/// 1 MB of TCP from it, and FreeRADIUS's detail file holds Start and Stop with Petrel's byte counts. A wrong password
/// is refused with FreeRADIUS's Access-Reject in Petrel's log.
/// </summary>
[Trait("Category", "Interop")]
public sealed class XAuthRadiusInteropTests(XAuthRadiusLab fixture, ITestOutputHelper output) : IClassFixture<XAuthRadiusLab>
{
    private const string CarolPassword = "carol's XAuth password";
    private const string DavePassword = "dave's XAuth password";
    private const string RadiusSecret = "petrel-xauth-radius-secret";

    private FreeRadiusServer Radius()
    {
        var lab = fixture.Lab;
        return FreeRadiusServer.Start(Path.Combine(lab.Right.WorkDir, "freeradius"), RadiusSecret,
            new Dictionary<string, string> { ["carol"] = CarolPassword, ["dave"] = DavePassword },
            new FreeRadiusOptions
            {
                Starter = (argv, log) => lab.Start(lab.Right, log, argv),
                Replies = new Dictionary<string, string> { ["dave"] = "Framed-IP-Address = 10.9.0.77" },
            });
    }

    private static string Gateway(LabSite local, LabSite remote, FreeRadiusServer radius) => $$"""
        connections {
          rw {
            version = 1
            local_addrs = {{local.OuterV4}}
            remote_addrs = {{remote.OuterV4}}
            encap = yes
            dpd_delay = 0
            pools = vip
            proposals = aes128-sha256-modp2048
            local-psk {
              auth = psk
              id = {{local.Id}}
            }
            remote-psk {
              auth = psk
              id = {{remote.Id}}
            }
            remote-xauth {
              auth = xauth-radius
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
          ike-group {
            id-1 = {{local.Id}}
            id-2 = {{remote.Id}}
            secret = "{{LabConfig.Psk}}"
          }
        }
        pools {
          vip {
            addrs = 10.3.0.0/24
            dns = 10.2.0.53
          }
        }
        petrel {
          eap-radius {
            accounting = yes
            nas_identifier = petrel-xauth-gw
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

    private static string Client(LabSite local, LabSite remote, string user, string password) => $$"""
        connections {
          home {
            version = 1
            local_addrs = {{local.OuterV4}}
            remote_addrs = {{remote.OuterV4}}
            encap = yes
            dpd_delay = 0
            vips = 0.0.0.0
            proposals = aes128-sha256-modp2048
            local-psk {
              auth = psk
              id = {{local.Id}}
            }
            local-xauth {
              auth = xauth
              xauth_id = {{user}}
            }
            remote-psk {
              auth = psk
              id = {{remote.Id}}
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
          ike-group {
            id-1 = {{local.Id}}
            id-2 = {{remote.Id}}
            secret = "{{LabConfig.Psk}}"
          }
          xauth {
            id = {{user}}
            secret = "{{password}}"
          }
        }
        """;

    [RootTheory]
    [InlineData("carol", "10.3.0.1")]
    [InlineData("dave", "10.9.0.77")]
    public void StrongSwan_xauth_client_is_checked_by_FreeRadius_gets_its_address_passes_traffic_and_is_accounted(string user, string vip)
    {
        var lab = fixture.Lab;
        using var radius = Radius();
        using var petrel = PetrelPeer.Start(lab, lab.Right, Gateway(lab.Right, lab.Left, radius));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, Client(lab.Left, lab.Right, user, user == "carol" ? CarolPassword : DavePassword));
        try
        {
            strongswan.Initiate("net", 40).EnsureSuccess();
            string log = petrel.Log();
            Assert.Contains($"XAuth user '{user}': asking the RADIUS server, deferred until it answers", log);
            Assert.Contains("RADIUS server 'silent' (127.0.0.1) did not answer (2 tries); trying the next server", log);
            Assert.Contains($"XAuth authentication of '{user}' successful (RADIUS server RADIUS server 'freeradius' (127.0.0.1))", log);
            Assert.Contains($"XAuth authentication of '{user}' (myself) successful", strongswan.Log());
            Assert.Contains($"Login OK: [{user}", radius.Log()); // FreeRADIUS checked the password with PAP
            var sa = petrel.ListSas().Find("rw") ?? throw new InvalidOperationException("no IKE SA 'rw' on Petrel");
            Assert.Equal("ESTABLISHED", sa.State);
            Assert.Equal(user, (string?)sa.Raw["remote_xauth_id"]);
            Assert.Contains($"  remote XAuth identity '{user}'", petrel.Cli("list-sas").EnsureSuccess().StandardOutput);
            Assert.Equal([vip], sa.Raw["remote_vips"]!.AsArray().Select(v => (string?)v));
            Assert.Equal($"{vip}/32", (string?)sa.Children.Single().Raw["remote_ts"]![0]);
            if (user == "dave")
                Assert.Contains($"assigning virtual IP {vip} to peer 'dave' from the RADIUS server (Framed-IP-Address)", log);
            Assert.Contains(vip, strongswan.ListSas());

            var ping = lab.Exec(lab.Left, TimeSpan.FromSeconds(30), "ping", "-4", "-c", "5", "-i", "0.2", "-W", "3", "-I", vip, lab.Right.LanV4);
            Assert.True(ping.Succeeded, ping.StandardOutput + ping.StandardError);
            Assert.Contains("5 received", ping.StandardOutput);
            var tcp = TcpTransfer.Run(lab.Left, lab.Right, 1024 * 1024, source: IPAddress.Parse(vip));
            Assert.True(tcp.ChecksumsMatch, tcp.ToString());
            output.WriteLine($"xauth-radius {user}: ping 5/5, TCP {tcp}");

            // The counters once the TCP connection's last segments are through (two equal readings).
            var child = petrel.ListSas().Find("rw")!.Children.Single();
            for (var settle = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < settle;)
            {
                Thread.Sleep(500);
                var again = petrel.ListSas().Find("rw")!.Children.Single();
                if (again.BytesIn == child.BytesIn && again.BytesOut == child.BytesOut) break;
                child = again;
            }
            Assert.True(child.BytesIn > 1024 * 1024, $"Petrel counted {child.BytesIn} bytes in");
            strongswan.Terminate("home").EnsureSuccess();
            var deadline = DateTime.UtcNow.AddSeconds(15);
            string detail = "";
            while (DateTime.UtcNow < deadline && !(detail = radius.Detail()).Contains("Acct-Status-Type = Stop")) Thread.Sleep(200);
            output.WriteLine(detail);
            Assert.Contains("Acct-Status-Type = Start", detail);
            Assert.Contains($"User-Name = \"{user}\"", detail);
            Assert.Contains($"Framed-IP-Address = {vip}", detail);
            Assert.Contains("NAS-Identifier = \"petrel-xauth-gw\"", detail);
            var stop = detail[detail.LastIndexOf("Acct-Status-Type = Stop", StringComparison.Ordinal)..];
            // The Stop record counts what list-sas showed (a stray late segment at most on top).
            long stopIn = Counter(stop, "Acct-Input-Octets"), stopOut = Counter(stop, "Acct-Output-Octets");
            Assert.InRange(stopIn, (long)child.BytesIn, (long)child.BytesIn + 1500);
            Assert.InRange(stopOut, (long)child.BytesOut, (long)child.BytesOut + 1500);
            Assert.Contains("Acct-Terminate-Cause = User-Request", stop);
            Assert.DoesNotContain(user == "carol" ? CarolPassword : DavePassword, petrel.Log());
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            output.WriteLine(radius.Log()[^Math.Min(radius.Log().Length, 20000)..]);
            throw;
        }
    }

    private static long Counter(string record, string name)
    {
        var m = System.Text.RegularExpressions.Regex.Match(record, name + @" = (\d+)");
        Assert.True(m.Success, $"no {name} in the record:\n{record}");
        return long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [RootFact]
    public void A_wrong_xauth_password_is_refused_by_FreeRadius_with_the_reason_in_Petrels_log()
    {
        var lab = fixture.Lab;
        using var radius = Radius();
        using var petrel = PetrelPeer.Start(lab, lab.Right, Gateway(lab.Right, lab.Left, radius));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, Client(lab.Left, lab.Right, "carol", "not carol's password"));
        try
        {
            Assert.False(strongswan.Initiate("net", 40).Succeeded, "strongSwan's initiate succeeded with a wrong XAuth password");
            string log = petrel.Log();
            Assert.Contains("XAuth authentication of 'carol' failed: RADIUS server 'freeradius' (127.0.0.1) rejected 'carol' (Access-Reject", log);
            Assert.Contains("XAuth authentication of 'carol' (myself) failed", strongswan.Log());
            Assert.Null(petrel.ListSas().Find("rw"));
            Assert.DoesNotContain("not carol's password", log);
            Assert.DoesNotContain("Acct-Status-Type = Start", radius.Detail());
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            output.WriteLine(radius.Log()[^Math.Min(radius.Log().Length, 20000)..]);
            throw;
        }
    }
}

using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="XAuthInteropTests"/>.</summary>
public sealed class XAuthLab : LabFixture
{
    protected override string Tag => "xa";
}

/// <summary>
/// IKEv1 XAuth with PSK and Mode Config against strongSwan 5.9.8, both roles, configured as strongSwan's
/// ikev1/xauth-id-psk-config test writes it (local-psk / local-xauth with xauth_id on the client, remote-psk /
/// remote-xauth and a pool on the gateway): the roadwarrior (left, vips = 0.0.0.0) authenticates as XAuth user
/// "carol", gets 10.x.0.1 from the gateway's pool and pings the gateway's subnet from it through the tunnel.
/// A wrong password is refused with the reason in the gateway's log.
/// </summary>
[Trait("Category", "Interop")]
public sealed class XAuthInteropTests(XAuthLab fixture, ITestOutputHelper output) : IClassFixture<XAuthLab>
{
    private const string Password = "4iChxLT3";

    private static string Client(LabSite local, LabSite remote, string password, string pull = "", bool xauth = true) => $$"""
        connections {
          home {
            version = 1
            local_addrs = {{local.OuterV4}}
            remote_addrs = {{remote.OuterV4}}
            encap = yes
            dpd_delay = 0
            vips = 0.0.0.0
            {{pull}}
            proposals = aes128-sha256-modp2048
            local-psk {
              auth = psk
              id = {{local.Id}}
            }
            {{(xauth ? "local-xauth {\n      auth = xauth\n      xauth_id = carol\n    }" : "")}}
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
            id = carol
            secret = "{{password}}"
          }
        }
        """;

    private static string Gateway(LabSite local, LabSite remote, string pool, string pull = "", bool xauth = true) => $$"""
        connections {
          rw {
            version = 1
            local_addrs = {{local.OuterV4}}
            remote_addrs = {{remote.OuterV4}}
            encap = yes
            dpd_delay = 0
            pools = vip
            {{pull}}
            proposals = aes128-sha256-modp2048
            local-psk {
              auth = psk
              id = {{local.Id}}
            }
            remote-psk {
              auth = psk
              id = {{remote.Id}}
            }
            {{(xauth ? "remote-xauth {\n      auth = xauth\n      xauth_id = carol\n    }" : "")}}
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
          xauth-carol {
            id = carol
            secret = "{{Password}}"
          }
        }
        pools {
          vip {
            addrs = {{pool}}
            dns = 10.2.0.53
          }
        }
        """;

    private CommandResult PingFrom(NamespacePair lab, string source, LabSite to) =>
        lab.Exec(lab.Left, TimeSpan.FromSeconds(30), "ping", "-4", "-c", "5", "-i", "0.2", "-W", "3", "-I", source, to.LanV4);

    [RootTheory]
    [InlineData("")]
    [InlineData("pull = no")]
    public void StrongSwan_xauth_client_authenticates_to_petrel_gets_a_virtual_ip_and_pings_from_it(string pull)
    {
        var lab = fixture.Lab;
        using var petrel = PetrelPeer.Start(lab, lab.Right, Gateway(lab.Right, lab.Left, "10.3.0.0/24", pull));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, Client(lab.Left, lab.Right, Password, pull));
        try
        {
            strongswan.Initiate("net").EnsureSuccess();
            Assert.Contains("XAuth authentication of 'carol' successful", petrel.Log());
            var sa = petrel.ListSas().Find("rw") ?? throw new InvalidOperationException("no IKE SA 'rw' on Petrel");
            Assert.Equal("ESTABLISHED", sa.State);
            Assert.Equal(["10.3.0.1"], sa.Raw["remote_vips"]!.AsArray().Select(v => (string?)v));
            Assert.Equal("10.3.0.1/32", (string?)sa.Children.Single().Raw["remote_ts"]![0]);
            Assert.Equal("carol", (string?)sa.Raw["remote_xauth_id"]);
            Assert.Null(sa.Raw["local_xauth_id"]);
            Assert.Contains("  remote XAuth identity 'carol'", petrel.Cli("list-sas").EnsureSuccess().StandardOutput);
            var listing = strongswan.ListSas();
            Assert.Contains("ESTABLISHED, IKEv1", listing);
            Assert.Contains("10.3.0.1", listing);
            Assert.Contains("10.3.0.1/32", lab.Exec(lab.Left, "ip", "-4", "addr", "show").StandardOutput);

            var ping = PingFrom(lab, "10.3.0.1", lab.Right);
            output.WriteLine(ping.StandardOutput);
            Assert.True(ping.Succeeded, ping.StandardOutput + ping.StandardError);
            Assert.Contains("5 received", ping.StandardOutput);
            var child = petrel.ListSas().Find("rw")!.Children.Single();
            Assert.True(child.PacketsIn >= 5 && child.PacketsOut >= 5, $"Petrel counted {child.PacketsIn} packets in, {child.PacketsOut} out");
            Assert.DoesNotContain(Password, petrel.Log());
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    [RootFact]
    public void StrongSwan_xauth_client_with_a_wrong_password_is_refused_by_petrel()
    {
        var lab = fixture.Lab;
        using var petrel = PetrelPeer.Start(lab, lab.Right, Gateway(lab.Right, lab.Left, "10.3.0.0/24"));
        using var strongswan = StrongSwanPeer.Start(lab, lab.Left, Client(lab.Left, lab.Right, "not-the-password"));
        try
        {
            var initiate = strongswan.Initiate("net");
            Assert.False(initiate.Succeeded, "strongSwan's initiate succeeded with a wrong XAuth password");
            Assert.Contains("XAuth authentication of 'carol' failed: wrong password for user 'carol'", petrel.Log());
            Assert.Contains("XAuth authentication of 'carol' (myself) failed", strongswan.Log());
            Assert.Null(petrel.ListSas().Find("rw"));
            Assert.DoesNotContain("not-the-password", petrel.Log());
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    [RootTheory]
    [InlineData("")]
    [InlineData("pull = no")]
    public void Petrel_xauth_client_authenticates_to_strongswan_gets_a_virtual_ip_and_pings_from_it(string pull)
    {
        var lab = fixture.Lab;
        using var strongswan = StrongSwanPeer.Start(lab, lab.Right, Gateway(lab.Right, lab.Left, "10.4.0.0/24", pull));
        using var petrel = PetrelPeer.Start(lab, lab.Left, Client(lab.Left, lab.Right, Password, pull));
        try
        {
            petrel.Up("home", "net").EnsureSuccess();
            Assert.Contains("XAuth authentication of 'carol' (myself) successful", petrel.Log());
            var sa = petrel.ListSas().Find("home") ?? throw new InvalidOperationException("no IKE SA 'home' on Petrel");
            Assert.Equal(["10.4.0.1"], sa.Raw["local_vips"]!.AsArray().Select(v => (string?)v));
            Assert.Equal("carol", (string?)sa.Raw["local_xauth_id"]);
            Assert.Contains("  local XAuth identity 'carol'", petrel.Cli("list-sas").EnsureSuccess().StandardOutput);
            Assert.Equal("10.4.0.1/32", (string?)sa.Children.Single().Raw["local_ts"]![0]);
            Assert.Contains("10.4.0.1/32", lab.Exec(lab.Left, "ip", "-4", "addr", "show", "dev", "petrel0").StandardOutput);
            Assert.Contains("peer assigned DNS server(s) 10.2.0.53", petrel.Log());
            var listing = strongswan.ListSas();
            Assert.Contains("ESTABLISHED, IKEv1", listing);
            Assert.Contains("carol", listing);

            var ping = PingFrom(lab, "10.4.0.1", lab.Right);
            output.WriteLine(ping.StandardOutput);
            Assert.True(ping.Succeeded, ping.StandardOutput + ping.StandardError);
            Assert.Contains("5 received", ping.StandardOutput);
            var child = petrel.ListSas().Find("home")!.Children.Single();
            Assert.True(child.PacketsOut >= 5 && child.PacketsIn >= 5, $"Petrel counted {child.PacketsOut} packets out, {child.PacketsIn} in");
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    [RootFact]
    public void Petrel_xauth_client_with_a_wrong_password_is_refused_by_strongswan()
    {
        var lab = fixture.Lab;
        using var strongswan = StrongSwanPeer.Start(lab, lab.Right, Gateway(lab.Right, lab.Left, "10.4.0.0/24"));
        using var petrel = PetrelPeer.Start(lab, lab.Left, Client(lab.Left, lab.Right, "not-the-password"));
        try
        {
            var up = petrel.Up("home", "net");
            Assert.False(up.Succeeded, "Petrel's up succeeded with a wrong XAuth password");
            Assert.Contains("XAuth authentication of 'carol' (myself) failed: the server refused it (XAUTH_STATUS FAIL)", up.StandardOutput + up.StandardError + petrel.Log());
            Assert.Contains("XAuth authentication of 'carol' failed", strongswan.Log());
            Assert.Null(petrel.ListSas().Find("home"));
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
    }

    /// <summary>Mode Config without XAuth (plain PSK Main Mode, then the virtual IP), Petrel in both roles.</summary>
    [RootTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Mode_config_without_xauth_gives_a_virtual_ip_and_traffic_flows_from_it(bool petrelIsGateway)
    {
        var lab = fixture.Lab;
        string pool = petrelIsGateway ? "10.3.0.0/24" : "10.4.0.0/24", vip = petrelIsGateway ? "10.3.0.1" : "10.4.0.1";
        using var gateway = petrelIsGateway
            ? (IDisposable)PetrelPeer.Start(lab, lab.Right, Gateway(lab.Right, lab.Left, pool, xauth: false))
            : StrongSwanPeer.Start(lab, lab.Right, Gateway(lab.Right, lab.Left, pool, xauth: false));
        using var client = petrelIsGateway
            ? (IDisposable)StrongSwanPeer.Start(lab, lab.Left, Client(lab.Left, lab.Right, Password, xauth: false))
            : PetrelPeer.Start(lab, lab.Left, Client(lab.Left, lab.Right, Password, xauth: false));
        var petrel = (petrelIsGateway ? gateway : client) as PetrelPeer;
        var strongswan = (petrelIsGateway ? client : gateway) as StrongSwanPeer;
        try
        {
            if (petrelIsGateway) strongswan!.Initiate("net").EnsureSuccess();
            else petrel!.Up("home", "net").EnsureSuccess();
            var sa = petrel!.ListSas().Find(petrelIsGateway ? "rw" : "home") ?? throw new InvalidOperationException("no IKE SA on Petrel");
            Assert.Equal([vip], sa.Raw[petrelIsGateway ? "remote_vips" : "local_vips"]!.AsArray().Select(v => (string?)v));
            Assert.Contains(vip, strongswan!.ListSas());
            var ping = PingFrom(lab, vip, lab.Right);
            output.WriteLine(ping.StandardOutput);
            Assert.True(ping.Succeeded, ping.StandardOutput + ping.StandardError);
            Assert.Contains("5 received", ping.StandardOutput);
        }
        catch
        {
            output.WriteLine(strongswan!.Diagnostics());
            output.WriteLine(petrel!.Diagnostics());
            throw;
        }
    }
}

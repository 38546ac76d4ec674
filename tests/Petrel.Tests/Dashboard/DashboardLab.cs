using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.Tests.Config;
using Petrel.Tests.Daemon;

namespace Petrel.Tests.Dashboard;

/// <summary>
/// Two daemons in this process on loopback (real IKE engines over UDP, <see cref="LoopbackPlatform"/>), the
/// first with petrel { dashboard = 127.0.0.1:PORT, dashboard_token = … }. No root, no namespaces.
/// </summary>
public sealed class DashboardLab : IAsyncDisposable
{
    public const string Token = "dashboard-token-0123456789";
    private readonly TempConfigDir _dir = new();
    private readonly int _port = Harness.LoopbackPorts.NextPair();
    public PetrelDaemon A { get; private set; } = null!;
    public PetrelDaemon B { get; private set; } = null!;
    public string SocketA { get; private set; } = "";
    public string SocketB { get; private set; } = "";
    public int DashboardPort { get; } = FreeTcpPort();
    public Uri BaseUri => new($"http://127.0.0.1:{DashboardPort}/");

    public static int FreeTcpPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private string Config(string local, string remote, string localId, string remoteId, string localTs, string remoteTs, string petrel) => $$"""
        connections {
          lab {
            local_addrs = {{local}}
            remote_addrs = {{remote}}
            local_port = {{_port}}
            remote_port = {{_port}}
            proposals = aes128-sha256-modp2048
            local {
              auth = psk
              id = {{localId}}
            }
            remote {
              auth = psk
              id = {{remoteId}}
            }
            children {
              net {
                local_ts = {{localTs}}
                remote_ts = {{remoteTs}}
                esp_proposals = aes128gcm16
              }
            }
          }
        }
        secrets {
          ike-lab {
            id-1 = left
            id-2 = right
            secret = "loopback-psk-0123456789"
          }
        }
        petrel {
          ike_port = {{_port}}
          natt_port = {{_port + 1}}
          {{petrel}}
        }
        """;

    /// <param name="extraA">More petrel { } settings for the first daemon (e.g. fast retransmits).</param>
    public static async Task<DashboardLab> StartAsync(string? token = Token, string extraA = "")
    {
        var lab = new DashboardLab();
        string tag = Guid.NewGuid().ToString("N")[..6];
        lab.SocketA = Path.Combine(Path.GetTempPath(), $"pd-a-{tag}.sock");
        lab.SocketB = Path.Combine(Path.GetTempPath(), $"pd-b-{tag}.sock");
        string dashboard = $"dashboard = 127.0.0.1:{lab.DashboardPort}" + (token is null ? "" : $"\n  dashboard_token = {token}") + "\n  " + extraA;
        var a = SwanctlLoader.Load(lab._dir.Write("a.conf", lab.Config("127.0.0.1", "127.0.0.2", "left", "right", "10.1.0.0/24", "10.2.0.0/24", dashboard)));
        var b = SwanctlLoader.Load(lab._dir.Write("b.conf", lab.Config("127.0.0.2", "127.0.0.1", "right", "left", "10.2.0.0/24", "10.1.0.0/24", "")));
        lab.A = new PetrelDaemon(a, lab.SocketA, new LoopbackPlatform(IPAddress.Parse("127.0.0.1")), NullLoggerFactory.Instance);
        lab.B = new PetrelDaemon(b, lab.SocketB, new LoopbackPlatform(IPAddress.Parse("127.0.0.2")), NullLoggerFactory.Instance);
        await lab.B.StartAsync();
        await lab.A.StartAsync();
        return lab;
    }

    public (int Code, string Out, string Err) Cli(params string[] args) => ControlCli.Run(SocketA, args);

    /// <summary>Silences the peer (its engine thread stops, so it sends no deletes): the first daemon's requests go unanswered.</summary>
    public async Task StopPeerAsync() => await B.Loop.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        _dir.Dispose();
    }
}

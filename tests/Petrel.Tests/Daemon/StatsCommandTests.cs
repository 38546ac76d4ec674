using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.Cli;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.DataPlane.Esp;
using Petrel.Tests.Config;

namespace Petrel.Tests.Daemon;

/// <summary>
/// `petrel stats` against a daemon in this process (loopback platform with a real userspace
/// kernel): the data plane's counters, including the raw-socket batching, arrive as JSON and text.
/// </summary>
public sealed class StatsCommandTests : IAsyncLifetime
{
    private readonly TempConfigDir _dir = new();
    private readonly LoopbackPlatform _platform = new(IPAddress.Parse("127.0.0.1"));
    private readonly string _socket = Path.Combine(Path.GetTempPath(), $"pt-stats-{Guid.NewGuid():N}.sock");
    private PetrelDaemon? _daemon;

    public async Task InitializeAsync()
    {
        int port = Harness.LoopbackPorts.NextPair();
        var config = SwanctlLoader.Load(_dir.Write("s.conf", $$"""
            connections {
              lab {
                local_addrs = 127.0.0.1
                remote_addrs = 127.0.0.2
                proposals = aes128-sha256-modp2048
                local {
                  auth = psk
                  id = left
                }
                remote {
                  auth = psk
                  id = right
                }
                children {
                  net {
                    esp_proposals = aes128gcm16
                  }
                }
              }
            }
            secrets {
              ike-lab {
                id-1 = left
                id-2 = right
                secret = "stats-psk-0123456789"
              }
            }
            petrel {
              ike_port = {{port}}
              natt_port = {{port + 1}}
            }
            """));
        _daemon = new PetrelDaemon(config, _socket, _platform, NullLoggerFactory.Instance);
        await _daemon.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_daemon is not null)
            await _daemon.DisposeAsync();
        _dir.Dispose();
    }

    private (int Code, string Out) Cli(params string[] args)
    {
        var (code, output, _) = ControlCli.Run(_socket, args);
        return (code, output);
    }

    [Fact]
    public void Stats_show_drops_and_raw_batching()
    {
        var kernel = _platform.Kernel!;
        // Two recvmmsg calls returning 16 and 7 packets, one sendmmsg batch of 30, and an ESP packet for no SA.
        kernel.Statistics.CountRawReceive(16);
        kernel.Statistics.CountRawReceive(7);
        kernel.Statistics.CountRawSend(30);
        Assert.Equal(DropReason.UnknownSpi, kernel.ProcessInbound(new byte[64]));

        var (code, json) = Cli("stats", "--json");
        Assert.Equal(0, code);
        var o = JsonNode.Parse(json)!.AsObject();
        Assert.Equal("userspace", (string?)o["data_plane"]);
        Assert.Equal(2, (long)o["raw_receive_calls"]!);
        Assert.Equal(23, (long)o["raw_packets_received"]!);
        Assert.Equal(1, (long)o["raw_send_batches"]!);
        Assert.Equal(30, (long)o["raw_packets_sent_batched"]!);
        Assert.Equal(1, (long)o["drops"]!["UnknownSpi"]!);
        Assert.Equal("none", (string?)o["tun_udp_writes"]);
        Assert.Equal(0, (long)o["tun_udp_gso_writes"]!);
        Assert.Equal(0, (long)o["ike"]!["ingress_shed_new_sa"]!);
        Assert.Equal(0, (long)o["ike"]!["dropped_by_limits"]!);
        // The daemon's crypto worker pool: nothing shed, nothing waiting, room for 1024 jobs.
        Assert.Equal(0, (long)o["ike"]!["crypto_shed"]!);
        Assert.Equal(0, (long)o["ike"]!["crypto_waiting"]!);
        Assert.Equal(1024, (long)o["ike"]!["crypto_capacity"]!);

        var (textCode, text) = Cli("stats");
        Assert.Equal(0, textCode);
        Assert.Contains("raw ESP/AH receive: 23 packets in 2 calls (11.5 per recvmmsg)", text, StringComparison.Ordinal);
        Assert.Contains("raw ESP send: 30 packets in 1 sendmmsg batches", text, StringComparison.Ordinal);
        Assert.Contains("tunnel device writes: UDP none; 0 datagrams in 0 UDP GSO writes, 0 TCP segments in 0 TCP GSO writes", text, StringComparison.Ordinal);
        Assert.Contains("drops: UnknownSpi 1", text, StringComparison.Ordinal);
        Assert.Contains("IKE: shed before the engine 0 requests for new SAs and 0 messages of SAs; dropped 0 (integrity check failed 0); IKE_SA_INIT over the half-open limits 0", text, StringComparison.Ordinal);
        Assert.Contains("IKE crypto workers: 0 jobs waiting of 1024; IKE_SA_INIT dropped because the queue was full 0", text, StringComparison.Ordinal);
    }
}

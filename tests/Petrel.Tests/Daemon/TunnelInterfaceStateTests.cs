using Microsoft.Extensions.Logging.Abstractions;
using Petrel.Config;
using Petrel.Daemon;
using Petrel.Daemon.Events;
using Petrel.Ike.Engine;

namespace Petrel.Tests.Daemon;

/// <summary>
/// Route-based interfaces follow their SAs (Daemon/TunnelInterfaceState), without root: the configured addresses are
/// added at start, the carrier starts off, goes on when a CHILD_SA with the interface's if_id is installed and off when
/// it goes; a reload that changes only addresses swaps them. The real devices and BIRD: Interop/BgpRouteBasedTests.
/// </summary>
public sealed class TunnelInterfaceStateTests
{
    private sealed class Links : IInterfaceLinks
    {
        public List<string> Calls { get; } = [];
        public void AddAddress(string device, TunnelAddress address) { lock (Calls) Calls.Add($"add {device} {address}"); }
        public void RemoveAddress(string device, TunnelAddress address) { lock (Calls) Calls.Add($"del {device} {address}"); }
        public void SetCarrier(string device, bool on) { lock (Calls) Calls.Add($"carrier {device} {(on ? "on" : "off")}"); }
        public string[] Snapshot() { lock (Calls) return [.. Calls]; }
    }

    private static SwanctlConfig Config(string local, string peer) => SwanctlLoader.LoadText($$"""
        connections {
          site {
            remote_addrs = 198.18.0.2
            local {
              auth = psk
            }
            remote {
              auth = psk
            }
            children {
              vti {
                local_ts = 0.0.0.0/0
                remote_ts = 0.0.0.0/0
                if_id_in = 7
                if_id_out = 7
              }
            }
          }
          other {
            remote_addrs = 198.18.0.3
            local {
              auth = psk
            }
            remote {
              auth = psk
            }
            children {
              net {
                if_id_in = 8
                if_id_out = 8
              }
            }
          }
        }
        petrel {
          interfaces {
            vpn0 {
              if_id = 7
              local = {{local}}
              peer = {{peer}}
            }
          }
        }
        """);

    private static void WaitFor(Func<bool> condition, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(describe());
            Thread.Sleep(20);
        }
    }

    [Fact]
    public async Task Carrier_follows_the_child_sas_of_its_if_id_and_addresses_follow_the_config()
    {
        var config = Config("169.254.10.1", "169.254.10.2");
        var engine = new FakeEngine();
        await using var loop = new EngineLoop(engine, NullLogger<EngineLoop>.Instance);
        loop.Start();
        await loop.InvokeAsync(e => { e.Load(config.Connections, config.Secrets); return 0; });
        var hub = new EventHub();
        var links = new Links();
        var state = new TunnelInterfaceState(config.Daemon.VirtualInterfaces, links, loop, hub, NullLogger<TunnelInterfaceState>.Instance);
        try
        {
            state.Start();
            WaitFor(() => links.Snapshot().Contains("carrier vti01 off"), () => string.Join("\n", links.Snapshot()));
            Assert.Equal(["add vpn0 169.254.10.1 peer 169.254.10.2/32"], links.Snapshot().Where(c => c.StartsWith("add", StringComparison.Ordinal)));
            Assert.Contains("carrier vpn0 off", links.Snapshot());

            // The site's CHILD_SA comes up: vpn0 (if_id 7) gets its carrier, vti01 (if_id 8, another connection) does not.
            await loop.InvokeAsync(e => { e.Initiate("site", "vti", _ => { }); return 0; });
            hub.Publish(new SaEvent { Kind = SaEventKind.ChildUp, Time = DateTimeOffset.UtcNow, Connection = "site", Child = "vti" });
            WaitFor(() => links.Snapshot().Contains("carrier vpn0 on"), () => string.Join("\n", links.Snapshot()));
            Assert.DoesNotContain("carrier vti01 on", links.Snapshot());

            // Deleted: off again.
            await loop.InvokeAsync(e => { e.Terminate("site", null, _ => { }); return 0; });
            hub.Publish(new SaEvent { Kind = SaEventKind.ChildDown, Time = DateTimeOffset.UtcNow, Connection = "site", Child = "vti" });
            WaitFor(() => links.Snapshot().Count(c => c == "carrier vpn0 off") == 2, () => string.Join("\n", links.Snapshot()));

            // A reload with other addresses on the same devices swaps them; one that renames an interface needs a restart.
            Assert.True(state.Reconfigure(Config("169.254.30.1", "169.254.30.2").Daemon.VirtualInterfaces));
            Assert.Contains("del vpn0 169.254.10.1 peer 169.254.10.2/32", links.Snapshot());
            Assert.Contains("add vpn0 169.254.30.1 peer 169.254.30.2/32", links.Snapshot());
            var renamed = VirtualInterfaceSet.For([7u, 8u]);
            Assert.False(state.Reconfigure(renamed));
            Assert.Equal(2, links.Snapshot().Count(c => c == "carrier vpn0 off"));
        }
        finally
        {
            await state.DisposeAsync();
        }
    }
}

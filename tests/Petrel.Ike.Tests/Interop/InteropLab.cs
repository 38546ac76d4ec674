using System.Net;
using Petrel.Crypto.Primitives;
using Petrel.Crypto.Proposals;
using Petrel.Ike;
using Petrel.Ike.Config;
using Petrel.Ike.Tests.Ike;

namespace Petrel.Ike.Tests.Interop;

/// <summary>Our engine on real sockets in the root namespace, strongSwan in "eng-sw…", a fake kernel recording SAs.</summary>
internal sealed class InteropLab : IDisposable
{
    public const string Psk = "eng-interop-psk-0123456789";

    public StrongSwanPeer Sw { get; }
    public UdpIkeHost Host { get; }
    public FakeKernel Kernel { get; } = new(0xc1000000);
    public LogCollector Log { get; } = new();
    public IkeEngine Engine { get; }

    public InteropLab(string ikeProposals, string espProposals, string? strongSwanIke = null, string enginePsk = Psk)
    {
        Sw = new StrongSwanPeer();
        try
        {
            Host = new UdpIkeHost(StrongSwanPeer.HostAddress);
            // DeleteRekeyedDelay zero: the tests count installed SAs right after a rekey (RekeyedInboundTests covers the delay).
            Engine = new IkeEngine(new IkeEngineOptions { RetransmitTimeout = TimeSpan.FromSeconds(2), DeleteRekeyedDelay = TimeSpan.Zero, ExportKeys = true }, Kernel, Host, SystemClock.Instance, SystemRandom.Instance, Log);
            Host.Engine = Engine;
            Engine.Load([Connection(ikeProposals, espProposals)], [new SharedSecret { Ids = ["petrel", "sw"], Secret = System.Text.Encoding.ASCII.GetBytes(enginePsk) }]);
            Sw.Load(SwanctlConf(strongSwanIke ?? ikeProposals, espProposals));
        }
        catch
        {
            Host?.Dispose();
            Sw.Dispose();
            throw;
        }
    }

    private static ConnectionConfig Connection(string ike, string esp) => new()
    {
        Name = "eng",
        LocalAddrs = [StrongSwanPeer.HostAddress.ToString()],
        RemoteAddrs = [StrongSwanPeer.PeerAddress.ToString()],
        Proposals = ProposalParser.Parse(ike, SecurityProtocol.Ike),
        Local = new AuthConfig { Auth = "psk", Id = "petrel" },
        Remote = new AuthConfig { Auth = "psk", Id = "sw" },
        Children =
        [
            new ChildConfig
            {
                Name = "net", LocalTs = ["10.1.0.0/24", "2001:db8:1::/64"], RemoteTs = ["10.2.0.0/24", "2001:db8:2::/64"],
                EspProposals = ProposalParser.Parse(esp, SecurityProtocol.Esp),
            },
        ],
    };

    private static string SwanctlConf(string ike, string esp) => $$"""
        connections {
          eng {
            version = 2
            local_addrs = {{StrongSwanPeer.PeerAddress}}
            remote_addrs = {{StrongSwanPeer.HostAddress}}
            encap = yes
            proposals = {{ike}}
            dpd_delay = 0
            local { auth = psk
              id = sw }
            remote { auth = psk
              id = petrel }
            children {
              net {
                local_ts = 10.2.0.0/24,2001:db8:2::/64
                remote_ts = 10.1.0.0/24,2001:db8:1::/64
                esp_proposals = {{esp}}
                start_action = none
              }
            }
          }
        }
        secrets {
          ike-eng {
            id-1 = sw
            id-2 = petrel
            secret = "{{Psk}}"
          }
        }
        """;

    /// <summary>Runs swanctl (which blocks until charon is done) while our engine keeps answering.</summary>
    public (int Code, string Output) SwanctlWhilePumping(TimeSpan timeout, params string[] args)
    {
        using var p = Sw.StartSwanctl(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        bool exited = Host.RunUntil(() => p.HasExited, timeout);
        if (!exited) p.Kill();
        p.WaitForExit();
        return (exited ? p.ExitCode : -1, stdout.Result + stderr.Result);
    }

    public InitiateResult? Pump(Action<Action<InitiateResult>> start, TimeSpan timeout)
    {
        InitiateResult? result = null;
        start(r => result = r);
        Host.RunUntil(() => result is not null, timeout);
        return result;
    }

    public string Diagnostics => $"\n--- engine log ---\n{Log.Tail()}\n--- charon log ---\n{Sw.TailLog()}";

    public void Dispose()
    {
        Host?.Dispose();
        Sw.Dispose();
    }
}

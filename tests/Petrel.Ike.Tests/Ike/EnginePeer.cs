using System.Net;
using Petrel.Crypto.Proposals;
using Petrel.Ike;
using Petrel.Ike.Config;

namespace Petrel.Ike.Tests.Ike;

/// <summary>One end of an in-process test: an engine with its fake kernel and recorded log.</summary>
internal sealed class EnginePeer
{
    public EnginePeer(string name, IPAddress address, InMemoryNetwork network, VirtualClock clock, int seed, IkeEngineOptions? options = null)
    {
        Name = name;
        Address = address;
        Kernel = new FakeKernel((uint)(0xc0000000 + seed * 0x1000));
        Log = new RecordingLoggerFactory(name);
        // Rekey tests count installed SAs right after a delete; RekeyedInboundTests covers the lingering inbound SA.
        Engine = new IkeEngine(options ?? new IkeEngineOptions { DeleteRekeyedDelay = TimeSpan.Zero }, Kernel, network.TransportFor(address), clock, new DeterministicRandom(seed), Log);
        network.Attach(address, Engine);
    }

    public string Name { get; }
    public IPAddress Address { get; }
    public FakeKernel Kernel { get; }
    public RecordingLoggerFactory Log { get; }
    public IkeEngine Engine { get; }

    public static ConnectionConfig Connection(string name, IPAddress local, IPAddress remote, string localId, string remoteId, string ike, string esp,
        string[]? localTs = null, string[]? remoteTs = null, bool encap = false, string mode = "tunnel", params ChildConfig[] extraChildren)
    {
        var children = new List<ChildConfig>
        {
            new()
            {
                Name = "net",
                LocalTs = localTs ?? ["dynamic"],
                RemoteTs = remoteTs ?? ["dynamic"],
                EspProposals = ProposalParser.Parse(esp, SecurityProtocol.Esp),
                Mode = mode,
            },
        };
        children.AddRange(extraChildren);
        return new ConnectionConfig
        {
            Name = name,
            LocalAddrs = [local.ToString()],
            RemoteAddrs = [remote.ToString()],
            Proposals = ProposalParser.Parse(ike, SecurityProtocol.Ike),
            Encap = encap,
            Local = new AuthConfig { Auth = "psk", Id = localId },
            Remote = new AuthConfig { Auth = "psk", Id = remoteId },
            Children = children,
        };
    }

    public static SharedSecret Secret(string text, params string[] ids) => new() { Ids = ids, Secret = System.Text.Encoding.UTF8.GetBytes(text) };
}

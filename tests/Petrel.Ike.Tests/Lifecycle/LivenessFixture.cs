using System.Net;
using Petrel.Crypto.Proposals;
using Petrel.Ike;
using Petrel.Ike.Config;
using Petrel.Ike.Tests.Ike;

namespace Petrel.Ike.Tests.Lifecycle;

/// <summary>
/// Two engines (left initiates) with DPD, dpd/close/start actions and unique policy set per test, and
/// short retransmissions (1 s × 2^n, 3 retransmits: a silent peer is dead 15 s after the request).
/// </summary>
internal sealed class LivenessFixture
{
    public static readonly IkeEngineOptions Fast = new() { RetransmitTimeout = TimeSpan.FromSeconds(1), RetransmitBase = 2, RetransmitTries = 3 };
    public static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(1 + 2 + 4 + 8);

    public ExchangeFixture F { get; }
    public EnginePeer Left => F.Left;
    public EnginePeer Right => F.Right;
    public VirtualClock Clock => F.Clock;
    public InMemoryNetwork Network => F.Network;
    private bool _rightDown;

    public LivenessFixture(TimeSpan? dpdDelay = null, string dpdAction = "clear", string closeAction = "none", string startAction = "none",
        string rightUnique = "no", string rightCloseAction = "none")
    {
        F = new ExchangeFixture(Fast, Fast);
        Left.Kernel.BasePackets = 0;
        Right.Kernel.BasePackets = 0;
        Left.Engine.Load([Connection("site", ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right", ["10.1.0.0/24"], ["10.2.0.0/24"],
            dpdDelay ?? TimeSpan.Zero, dpdAction, closeAction, startAction)], [EnginePeer.Secret("psk-psk-psk", "left", "right")]);
        Right.Engine.Load([Connection("site", ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "right", "left", ["10.2.0.0/24"], ["10.1.0.0/24"],
            TimeSpan.Zero, "clear", rightCloseAction, "none", rightUnique)], [EnginePeer.Secret("psk-psk-psk", "left", "right")]);
        // "Right is down": everything sent to it is lost, and it sends nothing.
        Network.Intercept(_ => _rightDown, _ => false);
    }

    public bool RightDown { get => _rightDown; set => _rightDown = value; }

    public static ConnectionConfig Connection(string name, IPAddress local, IPAddress remote, string localId, string remoteId, string[] localTs, string[] remoteTs,
        TimeSpan dpdDelay, string dpdAction, string closeAction, string startAction, string unique = "no") => new()
        {
            Name = name,
            LocalAddrs = [local.ToString()],
            RemoteAddrs = [remote.ToString()],
            Proposals = ProposalParser.Parse("aes128-sha256-modp2048", SecurityProtocol.Ike),
            DpdDelay = dpdDelay,
            Unique = unique,
            Local = new AuthConfig { Auth = "psk", Id = localId },
            Remote = new AuthConfig { Auth = "psk", Id = remoteId },
            Children =
            [
                new ChildConfig
                {
                    Name = "net",
                    LocalTs = localTs,
                    RemoteTs = remoteTs,
                    EspProposals = ProposalParser.Parse("aes128gcm16", SecurityProtocol.Esp),
                    DpdAction = dpdAction,
                    CloseAction = closeAction,
                    StartAction = startAction,
                },
            ],
        };

    public InitiateResult? Up() => F.Initiate();

    /// <summary>Advances in 100 ms steps until the condition holds; returns the virtual time it took (or null at the limit).</summary>
    public TimeSpan? Until(Func<bool> condition, TimeSpan limit)
    {
        var start = Clock.Now;
        while (Clock.Now - start < limit)
        {
            if (condition()) return Clock.Now - start;
            Step(TimeSpan.FromMilliseconds(100));
        }
        return condition() ? Clock.Now - start : null;
    }

    public void Step(TimeSpan by)
    {
        Clock.Advance(by);
        Left.Engine.Tick();
        if (!_rightDown) Right.Engine.Tick();
        Network.Run();
    }

    /// <summary>The CHILD_SA works both ways: each side's outbound SA is the other side's inbound SA.</summary>
    public static bool TunnelWorks(FakeKernel a, FakeKernel b)
    {
        var aOut = a.Sas.Values.Where(s => s.Direction == Petrel.DataPlane.Kernel.SaDirection.Outbound).Select(s => s.Spi).ToList();
        var bOut = b.Sas.Values.Where(s => s.Direction == Petrel.DataPlane.Kernel.SaDirection.Outbound).Select(s => s.Spi).ToList();
        return aOut.Count > 0 && bOut.Count > 0
            && aOut.All(spi => b.Sas.ContainsKey((spi, Petrel.DataPlane.Kernel.SaDirection.Inbound)))
            && bOut.All(spi => a.Sas.ContainsKey((spi, Petrel.DataPlane.Kernel.SaDirection.Inbound)));
    }
}

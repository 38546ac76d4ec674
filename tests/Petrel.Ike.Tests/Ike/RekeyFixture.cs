using System.Net;
using Petrel.Crypto.Proposals;
using Petrel.DataPlane.Kernel;
using Petrel.Ike;
using Petrel.Ike.Config;

namespace Petrel.Ike.Tests.Ike;

/// <summary>Two engines with configurable lifetimes, and the checks every rekey test ends with.</summary>
internal static class RekeyFixture
{
    public sealed record Lifetimes
    {
        public TimeSpan IkeRekey { get; init; } = TimeSpan.FromHours(3);
        public TimeSpan Reauth { get; init; } = TimeSpan.Zero;
        public TimeSpan? Over { get; init; }
        public TimeSpan? IkeRand { get; init; }
        public TimeSpan ChildRekey { get; init; } = TimeSpan.FromHours(1);
        public TimeSpan? ChildLife { get; init; }
        public TimeSpan? ChildRand { get; init; }
        public ulong RekeyBytes { get; init; }
        public ulong LifeBytes { get; init; }
        public ulong RekeyPackets { get; init; }
        public ulong LifePackets { get; init; }
        public string Esp { get; init; } = "aes128gcm16";
    }

    public static ExchangeFixture Create(Lifetimes? left = null, Lifetimes? right = null, string ike = "aes128-sha256-modp2048", IkeEngineOptions? options = null)
    {
        var f = new ExchangeFixture(options, options);
        left ??= new Lifetimes();
        right ??= left;
        f.Left.Engine.Load([Connection(ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right", ["10.1.0.0/24"], ["10.2.0.0/24"], ike, left)],
            [EnginePeer.Secret("rekey-psk", "left", "right")]);
        f.Right.Engine.Load([Connection(ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "right", "left", ["10.2.0.0/24"], ["10.1.0.0/24"], ike, right)],
            [EnginePeer.Secret("rekey-psk", "left", "right")]);
        return f;
    }

    private static ConnectionConfig Connection(IPAddress local, IPAddress remote, string localId, string remoteId, string[] localTs, string[] remoteTs, string ike, Lifetimes l) => new()
    {
        Name = "site",
        LocalAddrs = [local.ToString()],
        RemoteAddrs = [remote.ToString()],
        Proposals = ProposalParser.Parse(ike, SecurityProtocol.Ike),
        Local = new AuthConfig { Auth = "psk", Id = localId },
        Remote = new AuthConfig { Auth = "psk", Id = remoteId },
        RekeyTime = l.IkeRekey,
        ReauthTime = l.Reauth,
        OverTime = l.Over,
        RandTime = l.IkeRand,
        Children =
        [
            new ChildConfig
            {
                Name = "net",
                LocalTs = localTs,
                RemoteTs = remoteTs,
                EspProposals = ProposalParser.Parse(l.Esp, SecurityProtocol.Esp),
                RekeyTime = l.ChildRekey,
                LifeTime = l.ChildLife,
                RandTime = l.ChildRand,
                RekeyBytes = l.RekeyBytes,
                LifeBytes = l.LifeBytes,
                RekeyPackets = l.RekeyPackets,
                LifePackets = l.LifePackets,
            },
        ],
    };

    public static void Up(ExchangeFixture f)
    {
        var r = f.Initiate();
        Assert.True(r is { Success: true }, r?.Message);
    }

    /// <summary>
    /// Exactly one IKE SA per side (same SPIs), one INSTALLED CHILD_SA per side, and in each kernel exactly one
    /// inbound and one outbound SA and one policy, the two sides' SAs mirroring each other with equal keys.
    /// </summary>
    public static void AssertOnePair(ExchangeFixture f)
    {
        var l = Assert.Single(f.Left.Engine.ListSas());
        var r = Assert.Single(f.Right.Engine.ListSas());
        Assert.Equal("ESTABLISHED", l.State);
        Assert.Equal("ESTABLISHED", r.State);
        Assert.Equal(l.InitiatorSpi, r.InitiatorSpi);
        Assert.Equal(l.ResponderSpi, r.ResponderSpi);
        var lc = Assert.Single(l.Children);
        var rc = Assert.Single(r.Children);
        Assert.Equal("INSTALLED", lc.State);
        Assert.Equal("INSTALLED", rc.State);
        Assert.Equal(lc.SpiIn, rc.SpiOut);
        Assert.Equal(lc.SpiOut, rc.SpiIn);
        foreach (var (a, b) in new[] { (f.Left.Kernel, f.Right.Kernel), (f.Right.Kernel, f.Left.Kernel) })
        {
            Assert.Equal(2, a.Sas.Count);
            var outbound = a.Outbound;
            var inbound = a.Inbound;
            Assert.Equal(outbound.EncryptionKey, b.Sas[(outbound.Spi, SaDirection.Inbound)].EncryptionKey);
            Assert.Equal(inbound.EncryptionKey, b.Sas[(inbound.Spi, SaDirection.Outbound)].EncryptionKey);
            Assert.Single(a.Policies);
            Assert.Equal(outbound.ReqId, Assert.Single(a.Policies.Keys));
            Assert.Equal(inbound.ReqId, outbound.ReqId);
        }
        Assert.Equal(lc.SpiIn, f.Left.Kernel.Inbound.Spi.ToString("x8"));
        Assert.Equal(rc.SpiIn, f.Right.Kernel.Inbound.Spi.ToString("x8"));
    }

    public static uint ChildId(EnginePeer p) => Assert.Single(Assert.Single(p.Engine.ListSas()).Children).UniqueId;

    public static uint IkeId(EnginePeer p) => Assert.Single(p.Engine.ListSas()).UniqueId;

    /// <summary>
    /// Replays a kernel's install/remove log: true when, from the first inbound+outbound install on, at least one
    /// inbound and one outbound SA were installed at every step (nothing was ever torn down before its successor).
    /// </summary>
    public static bool NeverEmpty(FakeKernel k)
    {
        var inbound = new HashSet<string>();
        var outbound = new HashSet<string>();
        bool started = false;
        foreach (var line in k.Log)
        {
            var parts = line.Split(' ');
            if (parts.Length != 3) continue;
            var set = parts[1] == "Inbound" ? inbound : outbound;
            if (parts[0] == "install") set.Add(parts[2]);
            else if (parts[0] == "remove") set.Remove(parts[2]);
            else continue;
            if (inbound.Count > 0 && outbound.Count > 0) started = true;
            else if (started) return false;
        }
        return started;
    }
}

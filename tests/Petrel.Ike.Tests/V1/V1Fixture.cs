using System.Net;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Config;
using Petrel.Ike.Tests.Ike;

namespace Petrel.Ike.Tests.V1;

/// <summary>Two engines with `version = 1` connections (left initiates) on the in-memory network and virtual clock.</summary>
internal static class V1Fixture
{
    public static ConnectionConfig Connection(IPAddress local, IPAddress remote, string localId, string remoteId, string ike, string esp,
        string[] localTs, string[] remoteTs, int version = 1, bool encap = false, TimeSpan? dpdDelay = null, TimeSpan? dpdTimeout = null,
        TimeSpan? childRekey = null, string dpdAction = "clear", TimeSpan? ikeRekey = null, bool aggressive = false, string auth = "psk", string fragmentation = "yes",
        TimeSpan? childLife = null, ulong lifeBytes = 0, string mode = "tunnel", bool ah = false, ChildConfig[]? moreChildren = null) => new()
    {
        Name = "site",
        Fragmentation = fragmentation,
        Version = version,
        Aggressive = aggressive,
        LocalAddrs = [local.ToString()],
        RemoteAddrs = [remote.ToString()],
        Proposals = ProposalParser.Parse(ike, SecurityProtocol.Ike),
        Encap = encap,
        DpdDelay = dpdDelay ?? TimeSpan.Zero,
        DpdTimeout = dpdTimeout ?? TimeSpan.FromSeconds(150),
        RekeyTime = ikeRekey ?? TimeSpan.FromHours(3),
        Local = new AuthConfig { Auth = auth, Id = localId },
        Remote = new AuthConfig { Auth = auth, Id = remoteId },
        Children =
        [
            new ChildConfig
            {
                Name = "net", LocalTs = localTs, RemoteTs = remoteTs, Mode = mode,
                EspProposals = ah ? [] : ProposalParser.Parse(esp, SecurityProtocol.Esp), AhProposals = ah ? ProposalParser.Parse(esp, SecurityProtocol.Ah) : [],
                DpdAction = dpdAction, RekeyTime = childRekey ?? TimeSpan.FromHours(1), LifeTime = childLife, LifeBytes = lifeBytes,
            },
            .. moreChildren ?? [],
        ],
    };

    public static ExchangeFixture Create(string ike = "aes128-sha256-modp2048", string esp = "aes128-sha256", string? rightIke = null,
        string? rightEsp = null, string leftPsk = "left-right-psk", string? rightPsk = null, bool encap = false, int rightVersion = 1,
        TimeSpan? dpdDelay = null, TimeSpan? dpdTimeout = null, TimeSpan? childRekey = null, string dpdAction = "clear", TimeSpan? ikeRekey = null,
        bool leftAggressive = false, bool rightAggressive = false, IkeEngineOptions? options = null)
    {
        var f = new ExchangeFixture(options, options);
        var left = Connection(ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right", ike, esp, ["10.1.0.0/24"], ["10.2.0.0/24"],
            encap: encap, dpdDelay: dpdDelay, dpdTimeout: dpdTimeout, childRekey: childRekey, dpdAction: dpdAction, ikeRekey: ikeRekey, aggressive: leftAggressive);
        var right = Connection(ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "right", "left", rightIke ?? ike, rightEsp ?? esp,
            ["10.2.0.0/24"], ["10.1.0.0/24"], version: rightVersion, dpdDelay: dpdDelay, dpdTimeout: dpdTimeout, aggressive: rightAggressive);
        f.Left.Engine.Load([left], [EnginePeer.Secret(leftPsk, "left", "right")]);
        f.Right.Engine.Load([right], [EnginePeer.Secret(rightPsk ?? leftPsk, "left", "right")]);
        return f;
    }
}

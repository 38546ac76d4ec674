using System.Net;
using Petrel.Crypto.Proposals;
using Petrel.DataPlane.Kernel;
using Petrel.Ike.Config;
using Petrel.DataPlane.Policy;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// Transport mode with the initiator behind a NAT (RFC 7296 §2.23.1): the initiator proposes its
/// own address, the responder replaces it with the NAT's (what its host sees), answers with that,
/// and both sides' inbound SAs carry the addresses the peer's host used, for the RFC 3948 §3.1.2
/// checksum fix-up. A CHILD_SA rekey started by the responder keeps all of it.
/// </summary>
public class TransportNatTests
{
    private static readonly IPAddress NatPublic = IPAddress.Parse("192.0.2.200");

    private static ExchangeFixture Create()
    {
        var f = new ExchangeFixture();
        f.Network.Nat(ExchangeFixture.LeftAddress, NatPublic);
        var left = EnginePeer.Connection("site", ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right",
            "aes128-sha256-modp2048", "aes128gcm16", mode: "transport");
        var right = EnginePeer.Connection("site", ExchangeFixture.RightAddress, NatPublic, "right", "left",
            "aes128-sha256-modp2048", "aes128gcm16", mode: "transport");
        f.Left.Engine.Load([left], [EnginePeer.Secret("left-right-psk", "left", "right")]);
        f.Right.Engine.Load([right], [EnginePeer.Secret("left-right-psk", "left", "right")]);
        return f;
    }

    private static TrafficSelector Host(IPAddress a) => new(a, a);

    private static void AssertSides(ExchangeFixture f)
    {
        var left = ExchangeFixture.LeftAddress;
        var right = ExchangeFixture.RightAddress;

        // Responder: its host sees the NAT's address, so its policy and SAs name that.
        var rp = Assert.Single(f.Right.Kernel.Policies.Values);
        Assert.Equal(IpsecMode.Transport, rp.Mode);
        Assert.Equal([Host(right)], rp.LocalTs);
        Assert.Equal([Host(NatPublic)], rp.RemoteTs);
        var ri = f.Right.Kernel.Inbound;
        Assert.Equal(IpsecMode.Transport, ri.Mode);
        Assert.True(ri.UdpEncapsulation);
        Assert.Equal(NatPublic, ri.Source.Address);
        Assert.Equal(left, ri.OriginalSource);          // the initiator's host computed over its own address
        Assert.Equal(right, ri.OriginalDestination);
        Assert.Equal(NatPublic, f.Right.Kernel.Outbound.Destination.Address);

        // Initiator: its own addresses in its policy; the answer told it how the responder sees it.
        var lp = Assert.Single(f.Left.Kernel.Policies.Values);
        Assert.Equal(IpsecMode.Transport, lp.Mode);
        Assert.Equal([Host(left)], lp.LocalTs);
        Assert.Equal([Host(right)], lp.RemoteTs);
        var li = f.Left.Kernel.Inbound;
        Assert.Equal(IpsecMode.Transport, li.Mode);
        Assert.Equal(right, li.OriginalSource);
        Assert.Equal(NatPublic, li.OriginalDestination);  // the responder's host addressed the NAT
    }

    [Fact]
    public void Initiator_behind_nat_gets_a_transport_child_with_substituted_selectors()
    {
        var f = Create();

        var result = f.Initiate();

        Assert.True(result!.Success, result.Message);
        Assert.True(f.LeftSa.NatLocal);
        AssertSides(f);
        Assert.Contains(f.Right.Log.Lines, l => l.Contains("transport mode behind NAT", StringComparison.Ordinal)
            && l.Contains($"changed to {NatPublic}/32 === {ExchangeFixture.RightAddress}/32", StringComparison.Ordinal));
        Assert.Contains(f.Left.Log.Lines, l => l.Contains("transport mode behind NAT", StringComparison.Ordinal));
    }

    [Fact]
    public void Child_rekey_started_by_the_responder_keeps_the_nat_view()
    {
        var f = Create();
        Assert.True(f.Initiate()!.Success);
        var before = f.Right.Kernel.Inbound.Spi;

        Assert.True(f.Right.Engine.RekeyChild(RekeyFixture.ChildId(f.Right)));
        f.Network.Run();

        Assert.NotEqual(before, f.Right.Kernel.Inbound.Spi);
        AssertSides(f);
    }

    [Fact]
    public void Ah_transport_behind_nat_still_fails_with_the_reason()
    {
        var f = new ExchangeFixture();
        f.Network.Nat(ExchangeFixture.LeftAddress, NatPublic);
        static ConnectionConfig Ah(IPAddress local, IPAddress remote, string me, string peer) => new()
        {
            Name = "site",
            LocalAddrs = [local.ToString()],
            RemoteAddrs = [remote.ToString()],
            Proposals = ProposalParser.Parse("aes128-sha256-modp2048", SecurityProtocol.Ike),
            Local = new AuthConfig { Auth = "psk", Id = me },
            Remote = new AuthConfig { Auth = "psk", Id = peer },
            Children =
            [
                new ChildConfig
                {
                    Name = "net", LocalTs = ["dynamic"], RemoteTs = ["dynamic"], Mode = "transport",
                    AhProposals = ProposalParser.Parse("sha256", SecurityProtocol.Ah),
                },
            ],
        };
        f.Left.Engine.Load([Ah(ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right")], [EnginePeer.Secret("left-right-psk", "left", "right")]);
        f.Right.Engine.Load([Ah(ExchangeFixture.RightAddress, NatPublic, "right", "left")], [EnginePeer.Secret("left-right-psk", "left", "right")]);

        var result = f.Initiate();

        Assert.False(result!.Success);
        Assert.Empty(f.Right.Kernel.Sas);
        Assert.Empty(f.Left.Kernel.Sas);
        Assert.Contains(f.Right.Log.Lines, l => l.Contains("CHILD_SA net: AH cannot traverse NAT (NAT detected in front of the peer", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_nat_nothing_is_substituted()
    {
        var f = ExchangeFixture.Create();
        var left = EnginePeer.Connection("site", ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right",
            "aes128-sha256-modp2048", "aes128gcm16", mode: "transport");
        var right = EnginePeer.Connection("site", ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "right", "left",
            "aes128-sha256-modp2048", "aes128gcm16", mode: "transport");
        f.Left.Engine.Load([left], [EnginePeer.Secret("left-right-psk", "left", "right")]);
        f.Right.Engine.Load([right], [EnginePeer.Secret("left-right-psk", "left", "right")]);

        Assert.True(f.Initiate()!.Success);

        var ri = f.Right.Kernel.Inbound;
        Assert.Equal(IpsecMode.Transport, ri.Mode);
        Assert.False(ri.UdpEncapsulation);
        Assert.Equal(ri.Source.Address, ri.OriginalSource);
        Assert.Equal(ri.Destination.Address, ri.OriginalDestination);
        Assert.DoesNotContain(f.Right.Log.Lines, l => l.Contains("transport mode behind NAT", StringComparison.Ordinal));
    }
}

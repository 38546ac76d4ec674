using Petrel.DataPlane.Kernel;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Config;
using Petrel.Ike.Tests.Ike;

namespace Petrel.Ike.Tests.V1;

/// <summary>
/// Quick Mode lifetimes in seconds and kilobytes (SA attributes and RESPONDER-LIFETIME, RFC 2407 §4.5 and §4.6.3.1)
/// and the commit bit (ignored, as strongSwan ignores it), between two engines on the virtual clock.
/// </summary>
public class IkeV1QuickModeOptionsTests
{
    private const byte QuickMode = 32;

    private static ExchangeFixture Pair(TimeSpan? rightLife, ulong rightBytes)
    {
        var f = new ExchangeFixture();
        var left = V1Fixture.Connection(ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right", "aes128-sha256-modp2048", "aes128-sha256",
            ["10.1.0.0/24"], ["10.2.0.0/24"]);
        var right = V1Fixture.Connection(ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "right", "left", "aes128-sha256-modp2048", "aes128-sha256",
            ["10.2.0.0/24"], ["10.1.0.0/24"], childLife: rightLife, lifeBytes: rightBytes);
        f.Left.Engine.Load([left], [EnginePeer.Secret("left-right-psk", "left", "right")]);
        f.Right.Engine.Load([right], [EnginePeer.Secret("left-right-psk", "left", "right")]);
        return f;
    }

    [Fact]
    public void A_responder_with_lower_lifetimes_sends_responder_lifetime_and_the_initiator_keeps_them()
    {
        // Left offers rekey_time 1 h + 10 % = 3960 s and no byte limit; right allows 1800 s and 5,000,000 bytes.
        var f = Pair(TimeSpan.FromSeconds(1800), 5_000_000);
        var result = f.Initiate();
        Assert.True(result?.Success, result?.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Contains("peer offered 3960s, ours is lower: sending RESPONDER_LIFETIME 1800s / 5000 kB", f.Right.Log.All);
        Assert.Contains("peer's RESPONDER_LIFETIME 1800s / 5000 kB: CHILD_SA net lives 1800s / 5000 kB", f.Left.Log.All);

        // The time limit: left's SA expires at 1800 s and rekeys before, although its own rekey_time is an hour.
        var child = Assert.Single(f.LeftSa.Children);
        Assert.Equal(1800, child.ExpireSeconds);
        Assert.InRange(child.RekeySeconds!.Value, 1, 1799);

        // The byte limit: 90 % of 5,000,000 bytes rekeys.
        var spi = Assert.Single(f.Left.Kernel.Sas.Keys, k => k.Dir == SaDirection.Inbound).Spi;
        f.Left.Kernel.Counters[(spi, SaDirection.Inbound)] = new SaCounters(4_600_000, 10, 0, 0, 0);
        f.Advance(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));
        Assert.Equal(1, f.Left.Engine.ChildRekeysInitiated);
        Assert.Contains("rekeying CHILD_SA net", f.Left.Log.All);
    }

    [Fact]
    public void A_negotiated_byte_limit_deletes_the_sa_at_its_hard_limit()
    {
        var f = Pair(null, 2_000_000);
        Assert.True(f.Initiate()?.Success);
        Assert.Contains("sending RESPONDER_LIFETIME 3960s / 2000 kB", f.Right.Log.All);
        var spi = Assert.Single(f.Right.Kernel.Sas.Keys, k => k.Dir == SaDirection.Inbound).Spi;
        f.Right.Kernel.Counters[(spi, SaDirection.Inbound)] = new SaCounters(2_000_000, 10, 0, 0, 0);
        f.Advance(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));
        Assert.Contains("reached its hard lifetime, deleting it", f.Right.Log.All);
        Assert.Empty(f.Right.Kernel.Sas);
        Assert.Empty(f.Left.Kernel.Sas);
    }

    [Fact]
    public void Equal_lifetimes_send_no_responder_lifetime()
    {
        var f = Pair(null, 0);
        Assert.True(f.Initiate()?.Success);
        Assert.DoesNotContain("RESPONDER_LIFETIME", f.Right.Log.All + f.Left.Log.All);
    }

    [Fact]
    public void The_commit_bit_is_accepted_and_answered_with_the_usual_three_messages()
    {
        // strongSwan reads the commit flag and ignores it: no CONNECTED notify, no fourth message; so does Petrel.
        var f = Pair(null, 0);
        bool flagged = false;
        f.Network.Intercept(d => d.ExchangeType == QuickMode && !d.IsResponse && d.Destination.Address.Equals(ExchangeFixture.RightAddress), d =>
        {
            d.Data[19] |= 0x02;
            flagged = true;
            return true;
        });
        var result = f.Initiate();
        Assert.True(flagged);
        Assert.True(result?.Success, result?.Message + "\n" + f.Right.Log.All);
        f.Advance(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        Assert.Equal(3, f.Network.Delivered.Count(d => d.ExchangeType == QuickMode));
        Assert.Equal("INSTALLED", Assert.Single(f.RightSa.Children).State);
        Assert.Equal(f.Left.Kernel.Outbound.EncryptionKey, f.Right.Kernel.Inbound.EncryptionKey);
    }
}

/// <summary>IKEv1 Quick Mode with AH, in transport mode, and with several proposals, between two engines.</summary>
public class IkeV1QuickModeProtocolTests
{
    private static ExchangeFixture Pair(string leftEsp, string rightEsp, string mode = "tunnel", bool ah = false, bool encap = false)
    {
        var f = new ExchangeFixture();
        bool transport = mode == "transport";
        string[] l = transport ? [ExchangeFixture.LeftAddress + "/32"] : ["10.1.0.0/24"], r = transport ? [ExchangeFixture.RightAddress + "/32"] : ["10.2.0.0/24"];
        var left = V1Fixture.Connection(ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right", "aes128-sha256-modp2048", leftEsp,
            l, r, mode: mode, ah: ah, encap: encap);
        var right = V1Fixture.Connection(ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "right", "left", "aes128-sha256-modp2048", rightEsp,
            r, l, mode: mode, ah: ah);
        f.Left.Engine.Load([left], [EnginePeer.Secret("left-right-psk", "left", "right")]);
        f.Right.Engine.Load([right], [EnginePeer.Secret("left-right-psk", "left", "right")]);
        return f;
    }

    [Theory]
    [InlineData("tunnel")]
    [InlineData("transport")]
    public void Ah_is_negotiated_keyed_and_deleted_as_ah(string mode)
    {
        var f = Pair("sha256-modp2048", "sha256-modp2048", mode, ah: true);
        var result = f.Initiate();
        Assert.True(result?.Success, result?.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        foreach (var k in new[] { f.Left.Kernel, f.Right.Kernel })
        {
            Assert.Equal(IpsecProtocol.Ah, k.Outbound.Protocol);
            Assert.Equal(mode == "transport" ? IpsecMode.Transport : IpsecMode.Tunnel, k.Outbound.Mode);
            Assert.Equal(0, k.Outbound.Encryption.Id);
            Assert.Empty(k.Outbound.EncryptionKey);
            Assert.Equal(32, k.Outbound.IntegrityKey.Length);
        }
        Assert.Equal(f.Left.Kernel.Outbound.Spi, f.Right.Kernel.Inbound.Spi);
        Assert.Equal(f.Left.Kernel.Outbound.IntegrityKey, f.Right.Kernel.Inbound.IntegrityKey);
        Assert.Equal(f.Right.Kernel.Outbound.IntegrityKey, f.Left.Kernel.Inbound.IntegrityKey);
        Assert.NotEqual(f.Left.Kernel.Outbound.IntegrityKey, f.Left.Kernel.Inbound.IntegrityKey);
        Assert.Equal("AH", Assert.Single(f.RightSa.Children).Protocol);

        // A DELETE names protocol AH: the peer removes the SA too.
        InitiateResult? down = null;
        f.Left.Engine.Terminate("site", "net", r => down = r);
        f.Network.Run();
        Assert.True(down?.Success, down?.Message);
        Assert.Empty(f.Right.Kernel.Sas);
        Assert.Empty(f.Left.Kernel.Sas);
    }

    [Fact]
    public void Esp_in_transport_mode_installs_transport_sas_between_the_hosts()
    {
        var f = Pair("aes128-sha256", "aes128-sha256", "transport");
        Assert.True(f.Initiate()?.Success, f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Equal(IpsecMode.Transport, f.Left.Kernel.Outbound.Mode);
        Assert.Equal(IpsecMode.Transport, f.Right.Kernel.Inbound.Mode);
        Assert.Equal(IpsecProtocol.Esp, f.Right.Kernel.Inbound.Protocol);
        Assert.Equal(f.Left.Kernel.Outbound.EncryptionKey, f.Right.Kernel.Inbound.EncryptionKey);
    }

    [Fact]
    public void Ah_behind_nat_is_refused_with_the_reason()
    {
        // encap = yes fakes the NAT-D hash, so both sides see a NAT: AH cannot be used (RFC 4302 §3.3.3).
        var f = Pair("sha256", "sha256", ah: true, encap: true);
        var result = f.Initiate();
        Assert.False(result?.Success);
        Assert.Contains("AH cannot traverse NAT", result!.Message);
        Assert.Empty(f.Left.Kernel.Sas);
    }

    [Fact]
    public void The_responder_picks_the_first_of_several_proposals_it_accepts()
    {
        // Left offers two proposals (GCM first, then CBC+SHA-256); right accepts only the second.
        var f = Pair("aes256gcm16-modp2048, aes128-sha256-modp2048", "aes128-sha256-modp2048");
        var result = f.Initiate();
        Assert.True(result?.Success, result?.Message + "\n" + f.Right.Log.All);
        Assert.Contains("selected ESP:AES_CBC_128/HMAC_SHA2_256_128/MODP_2048", f.Right.Log.All);
        Assert.Equal(16, f.Left.Kernel.Outbound.EncryptionKey.Length);
        Assert.Equal(f.Left.Kernel.Outbound.EncryptionKey, f.Right.Kernel.Inbound.EncryptionKey);
        // And a proposal list with none in common fails, naming both sides' offers.
        var g = Pair("aes256gcm16", "aes128-sha256");
        Assert.False(g.Initiate()?.Success);
        Assert.Contains("no acceptable proposal: peer offered", g.Right.Log.All);
    }
}

/// <summary>Several Quick Mode SAs with different selectors under one Phase 1.</summary>
public class IkeV1SeveralChildrenTests
{
    private static ChildConfig Second(string local, string remote) => new()
    {
        Name = "net2", LocalTs = [local], RemoteTs = [remote], EspProposals = ProposalParser.Parse("aes256-sha256", SecurityProtocol.Esp),
        RekeyTime = TimeSpan.FromHours(1),
    };

    [Fact]
    public void Two_children_with_different_selectors_get_two_quick_mode_sas_under_one_isakmp_sa()
    {
        var f = new ExchangeFixture();
        var left = V1Fixture.Connection(ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, "left", "right", "aes128-sha256-modp2048", "aes128-sha256",
            ["10.1.0.0/24"], ["10.2.0.0/24"], moreChildren: [Second("10.1.1.0/24", "10.2.1.0/24")]);
        var right = V1Fixture.Connection(ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, "right", "left", "aes128-sha256-modp2048", "aes128-sha256, aes256-sha256",
            ["10.2.0.0/24"], ["10.1.0.0/24"], moreChildren: [Second("10.2.1.0/24", "10.1.1.0/24")]);
        f.Left.Engine.Load([left], [EnginePeer.Secret("left-right-psk", "left", "right")]);
        f.Right.Engine.Load([right], [EnginePeer.Secret("left-right-psk", "left", "right")]);
        var result = f.Initiate();
        Assert.True(result?.Success, result?.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Equal(6, f.Network.Delivered.Count(d => d.ExchangeType == 32));
        Assert.Single(f.Right.Engine.ListSas());
        var children = f.RightSa.Children.OrderBy(c => c.Name).ToList();
        Assert.Equal(["net", "net2"], children.Select(c => c.Name));
        Assert.All(children, c => Assert.Equal("INSTALLED", c.State));
        Assert.Equal(["10.2.0.0/24"], children[0].LocalTs);
        Assert.Equal(["10.2.1.0/24"], children[1].LocalTs);
        Assert.Equal(["10.1.1.0/24"], children[1].RemoteTs);
        // Each child its own SPIs, policy and proposal (net2 with AES-256).
        Assert.NotEqual(children[0].SpiIn, children[1].SpiIn);
        Assert.Equal(2, f.Right.Kernel.Policies.Count);
        Assert.Equal(2, f.Left.Kernel.Policies.Count);
        Assert.Contains(f.Right.Kernel.Sas.Values, s => s.EncryptionKey.Length == 32);
        Assert.Contains(f.Right.Kernel.Sas.Values, s => s.EncryptionKey.Length == 16);
    }
}

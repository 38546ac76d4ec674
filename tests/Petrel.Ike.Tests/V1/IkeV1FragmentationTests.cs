using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;
using Petrel.Ike.Tests.Ike;
using Petrel.Ike.V1.Fragmentation;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.Tests.V1;

/// <summary>
/// IKEv1 fragmentation as strongSwan does it (Cisco's vendor ID and payload 132): splitting and reassembly on their own,
/// then two engines with RSA 4096 certificates and fragment_size = 576, whose CERT messages cannot travel whole.
/// </summary>
public class IkeV1FragmentationTests
{
    private const byte MainMode = 2, AggressiveMode = 4, FragmentPayloadType = 132;
    private const string LeftDn = "C=CH, O=Petrel Test, CN=left.petrel.test";
    private const string RightDn = "C=CH, O=Petrel Test, CN=right.petrel.test";

    private static byte[] Message(int length)
    {
        var m = new byte[length];
        new Random(length).NextBytes(m);
        m[16] = 5; // first payload: ID, not a fragment
        return m;
    }

    private static List<FragmentPayload> Pieces(List<byte[]> datagrams) => datagrams.Select(d =>
    {
        Assert.Equal(FragmentPayloadType, d[16]);
        var payloads = new List<IsakmpPayload>();
        Assert.True(IsakmpMessage.TryDecodePayloads(d.AsSpan(28), d[16], payloads, out string error, trailingAllowed: false), error);
        Assert.True(FragmentPayload.TryDecode(Assert.Single(payloads).Body, out var f, out error), error);
        return f!;
    }).ToList();

    [Fact]
    public void A_message_is_split_like_strongswan_and_reassembles_out_of_order_with_duplicates()
    {
        var message = Message(2000);
        int limit = V1Fragmenter.MaxMessage(576, new(System.Net.IPAddress.Loopback, 500), new(System.Net.IPAddress.Loopback, 500), 500);
        Assert.Equal(548, limit);
        var datagrams = V1Fragmenter.Split(message, 0x1122334455667788, 0x99aabbccddeeff00, aggressive: false, limit)!;
        Assert.Equal(4, datagrams.Count); // 2000 bytes in pieces of 548 - 28 - 8 = 512
        Assert.All(datagrams, d => Assert.True(d.Length <= limit, $"{d.Length}-byte fragment"));
        Assert.All(datagrams, d =>
        {
            Assert.Equal(MainMode, d[18]);
            Assert.Equal(0, d[19]); // no E flag
            Assert.Equal(0u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(20)));
        });
        var pieces = Pieces(datagrams);
        Assert.Equal([1, 2, 3, 4], pieces.Select(p => (int)p.Number));
        Assert.Equal([512, 512, 512, 464], pieces.Select(p => p.Data.Length));
        Assert.All(pieces, p => Assert.Equal(1, p.Id));
        Assert.Equal([false, false, false, true], pieces.Select(p => p.Last));

        var r = new V1Reassembly(10000);
        byte[]? whole = null;
        foreach (var i in new[] { 3, 0, 0, 1 })
            Assert.Equal(FragmentOutcome.NeedMore, r.Add(pieces[i], out whole));
        Assert.Equal(FragmentOutcome.Complete, r.Add(pieces[2], out whole));
        Assert.Equal(message, whole);
        Assert.Equal(0, r.Count);
        Assert.Null(V1Fragmenter.Split(Message(548), 1, 2, aggressive: true, limit));
        Assert.Equal(AggressiveMode, V1Fragmenter.Split(Message(549), 1, 2, aggressive: true, limit)![0][18]);
    }

    [Fact]
    public void Reassembly_is_bounded_starts_over_on_a_new_id_and_needs_every_number()
    {
        var r = new V1Reassembly(1000);
        Assert.Equal(FragmentOutcome.NeedMore, r.Add(new FragmentPayload(1, 1, false, new byte[600]), out _));
        Assert.Equal(FragmentOutcome.TooLarge, r.Add(new FragmentPayload(1, 2, true, new byte[600]), out _));
        Assert.Equal(0, r.Count);
        // A fragment with another ID starts over; the message is complete only with every number up to the last.
        Assert.Equal(FragmentOutcome.NeedMore, r.Add(new FragmentPayload(1, 1, false, [1]), out _));
        Assert.Equal(FragmentOutcome.NeedMore, r.Add(new FragmentPayload(7, 3, true, [3]), out _));
        Assert.Equal(1, r.Count); // the new ID dropped fragment 1 of ID 1
        Assert.Equal(FragmentOutcome.NeedMore, r.Add(new FragmentPayload(7, 1, false, [1]), out _));
        Assert.Equal(FragmentOutcome.Complete, r.Add(new FragmentPayload(7, 2, false, [2]), out var whole));
        Assert.Equal([1, 2, 3], whole);
        Assert.False(FragmentPayload.TryDecode([0, 1, 0, 1, 9], out _, out string error));
        Assert.Equal("fragment number 0", error);
        Assert.False(FragmentPayload.TryDecode([0, 1, 1], out _, out _));
    }

    [Theory]
    [InlineData("4048b7d56ebce88525e7de7f00d6c2d3", true)]          // bare (Windows)
    [InlineData("4048b7d56ebce88525e7de7f00d6c2d380000000", true)]  // strongSwan
    [InlineData("4048b7d56ebce88525e7de7f00d6c2d3c0000000", true)]  // Cisco
    [InlineData("4048b7d56ebce88525e7de7f00d6c2d340000000", false)] // base ISAKMP messages only
    [InlineData("4048b7d56ebce88525e7de7f00d6c2", false)]
    public void The_fragmentation_vendor_id_is_read_as_strongswan_reads_it(string hex, bool supported) =>
        Assert.Equal(supported, VendorIds.IsFragmentation(Convert.FromHexString(hex)));

    private static ExchangeFixture Rsa4096(string leftFragmentation, string rightFragmentation, bool aggressive = false)
    {
        var pki = EnginePki.Shared;
        var leftKey = pki.Key(KeyKind.Rsa, 4096, 1);
        var rightKey = pki.Key(KeyKind.Rsa, 4096, 2);
        X509Certificate leftCert = pki.Issue(leftKey, LeftDn, ["left.petrel.test"]);
        X509Certificate rightCert = pki.Issue(rightKey, RightDn, ["right.petrel.test"]);
        var options = new IkeEngineOptions { FragmentSize = 576 };
        var f = new ExchangeFixture(options, options);
        var left = V1Fixture.Connection(ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, LeftDn, RightDn, "aes128-sha256-modp2048", "aes128-sha256",
            ["10.1.0.0/24"], ["10.2.0.0/24"], aggressive: aggressive, auth: "pubkey", fragmentation: leftFragmentation);
        var right = V1Fixture.Connection(ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, RightDn, LeftDn, "aes128-sha256-modp2048", "aes128-sha256",
            ["10.2.0.0/24"], ["10.1.0.0/24"], aggressive: aggressive, auth: "pubkey", fragmentation: rightFragmentation);
        f.Left.Engine.Load([left], [], pki.Store(leftCert, leftKey, [pki.Root]));
        f.Right.Engine.Load([right], [], pki.Store(rightCert, rightKey, [pki.Root]));
        return f;
    }

    private static void AssertUp(ExchangeFixture f, InitiateResult? result)
    {
        Assert.True(result?.Success == true, result?.Message + "\n" + f.Left.Log.All + "\n" + f.Right.Log.All);
        Assert.Equal(RightDn, f.LeftSa.RemoteId);
        Assert.Equal(LeftDn, f.RightSa.RemoteId);
        Assert.Equal("INSTALLED", Assert.Single(f.RightSa.Children).State);
        Assert.Equal(f.Left.Kernel.Outbound.EncryptionKey, f.Right.Kernel.Inbound.EncryptionKey);
        Assert.Equal(f.Right.Kernel.Outbound.EncryptionKey, f.Left.Kernel.Inbound.EncryptionKey);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rsa_4096_certificates_travel_in_fragments_of_at_most_fragment_size_both_ways(bool aggressive)
    {
        var f = Rsa4096("yes", "yes", aggressive);
        var result = f.Initiate();
        AssertUp(f, result);
        var fragments = f.Network.Delivered.Where(d => d.Data.Length >= 28 && d.Data[16] == FragmentPayloadType).ToList();
        Assert.Contains(fragments, d => d.Destination.Address.Equals(ExchangeFixture.RightAddress));
        Assert.Contains(fragments, d => d.Destination.Address.Equals(ExchangeFixture.LeftAddress));
        Assert.All(fragments, d => Assert.Equal(aggressive ? AggressiveMode : MainMode, d.ExchangeType));
        // 576 less IPv4 (20) and UDP (8): no datagram needs IP fragmentation, except Aggressive Mode's first message (with
        // KE, ID and CERTREQ), which goes whole as strongSwan's does: the peer's vendor ID has not been seen yet.
        Assert.All(f.Network.Delivered.Skip(aggressive ? 1 : 0), d => Assert.True(d.Data.Length <= 548, $"a {d.Data.Length}-byte datagram"));
        Assert.Contains("splitting IKE message", f.Left.Log.All);
        Assert.Contains("reassembled fragmented IKE message", f.Right.Log.All);
    }

    [Fact]
    public void A_lost_fragment_is_recovered_by_retransmitting_every_fragment()
    {
        var f = Rsa4096("yes", "yes");
        int seen = 0;
        f.Network.Lose(d => d.Data.Length >= 28 && d.Data[16] == FragmentPayloadType && seen++ == 1);
        InitiateResult? result = null;
        f.Left.Engine.Initiate("site", null, r => result = r);
        f.Network.Run();
        f.Advance(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        AssertUp(f, result);
        Assert.Contains("retransmit", f.Left.Log.All + f.Right.Log.All);
    }

    [Fact]
    public void Without_the_peers_vendor_id_nothing_is_fragmented_and_force_fragments_anyway()
    {
        // Right has fragmentation = no: it sends no vendor ID, so left (yes) sends whole messages; right neither.
        var f = Rsa4096("yes", "no");
        AssertUp(f, f.Initiate());
        Assert.DoesNotContain(f.Network.Delivered, d => d.Data.Length >= 28 && d.Data[16] == FragmentPayloadType);
        Assert.Contains(f.Network.Delivered, d => d.Data.Length > 548);

        // force: left fragments without being told the peer can take it; right (no) still reassembles, as strongSwan does.
        var g = Rsa4096("force", "no");
        AssertUp(g, g.Initiate());
        Assert.Contains(g.Network.Delivered, d => d.Destination.Address.Equals(ExchangeFixture.RightAddress) && d.Data[16] == FragmentPayloadType);
        Assert.DoesNotContain(g.Network.Delivered, d => d.Destination.Address.Equals(ExchangeFixture.LeftAddress) && d.Data.Length >= 28 && d.Data[16] == FragmentPayloadType);
    }
}

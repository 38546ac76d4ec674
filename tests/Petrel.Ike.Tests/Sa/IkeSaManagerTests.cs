using System.Net;
using Petrel.Ike;
using Petrel.Ike.Tests.Ike;

namespace Petrel.Ike.Tests.Sa;

/// <summary>The SA table's indexes and half-open counters follow every state, address and connection change.</summary>
public class IkeSaManagerTests
{
    private static readonly IPAddress PeerA = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress PeerB = IPAddress.Parse("192.0.2.2");
    private uint _ids;

    private IkeSa Sa(bool initiator, IPAddress peer, string connection = "c")
    {
        var sa = new IkeSa
        {
            UniqueId = ++_ids,
            Config = EnginePeer.Connection(connection, IPAddress.Loopback, peer, "a", "b", "aes128-sha256-modp2048", "aes128gcm16"),
            IsInitiator = initiator,
            Local = new IPEndPoint(IPAddress.Loopback, 500),
            Remote = new IPEndPoint(peer, 500),
        };
        if (initiator) sa.SpiI = 0x1000 + _ids; else { sa.SpiR = 0x2000 + _ids; sa.SpiI = 0x3000 + _ids; }
        return sa;
    }

    [Fact]
    public void Half_open_counts_follow_responder_states_in_total_and_per_peer()
    {
        var table = new IkeSaManager();
        var a1 = Sa(false, PeerA); var a2 = Sa(false, PeerA); var b1 = Sa(false, PeerB); var ours = Sa(true, PeerB);
        foreach (var sa in new[] { a1, a2, b1, ours }) { table.Add(sa, sa.SpiI); sa.MoveTo(IkeSaState.Connecting); }
        Assert.Equal(3, table.HalfOpen); // our own initiating SA is not half-open
        Assert.Equal(2, table.HalfOpenFrom(PeerA));
        Assert.Equal(1, table.HalfOpenFrom(PeerB));

        a1.MoveTo(IkeSaState.Established);
        Assert.Equal(2, table.HalfOpen);
        Assert.Equal(1, table.HalfOpenFrom(PeerA));

        a2.MoveTo(IkeSaState.Destroying);
        table.Remove(a2);
        table.Remove(a2); // twice is harmless
        Assert.Equal(1, table.HalfOpen);
        Assert.Equal(0, table.HalfOpenFrom(PeerA));

        table.Remove(b1); // removed while still half-open
        Assert.Equal(0, table.HalfOpen);
        Assert.Equal(0, table.HalfOpenFrom(PeerB));
    }

    [Fact]
    public void Lookups_by_spi_initiator_spi_id_connection_and_peer()
    {
        var table = new IkeSaManager();
        var r = Sa(false, PeerA, "gw"); var i = Sa(true, PeerB, "site");
        table.Add(r, r.SpiI);
        table.Add(i, 0);
        Assert.True(table.TryGet(r.SpiR, out var found) && ReferenceEquals(found, r));
        Assert.True(table.TryGet(i.SpiI, out found) && ReferenceEquals(found, i));
        Assert.Same(r, table.FindByInitiator(r.Remote, r.SpiI));
        Assert.Null(table.FindByInitiator(new IPEndPoint(PeerB, 500), r.SpiI));
        Assert.Same(i, table.Find(i.UniqueId));
        Assert.Equal([r], table.OfConnection("gw"));
        Assert.Equal([i], table.OfPeer(PeerB));
        Assert.Equal([r, i], table.All);

        table.Remove(r);
        Assert.False(table.TryGet(r.SpiR, out _));
        Assert.Null(table.FindByInitiator(r.Remote, r.SpiI));
        Assert.Null(table.Find(r.UniqueId));
        Assert.Empty(table.OfConnection("gw"));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void A_peer_that_moves_and_a_responder_that_switches_connection_are_reindexed()
    {
        var table = new IkeSaManager();
        var sa = Sa(false, PeerA, "first");
        table.Add(sa, sa.SpiI);
        sa.MoveTo(IkeSaState.Connecting);

        sa.Remote = new IPEndPoint(PeerB, 4500); // NAT mapping changed, or the peer floated
        Assert.Empty(table.OfPeer(PeerA));
        Assert.Equal([sa], table.OfPeer(PeerB));
        Assert.Equal(0, table.HalfOpenFrom(PeerA));
        Assert.Equal(1, table.HalfOpenFrom(PeerB));

        sa.Config = EnginePeer.Connection("second", IPAddress.Loopback, PeerB, "a", "b", "aes128-sha256-modp2048", "aes128gcm16");
        Assert.Empty(table.OfConnection("first"));
        Assert.Equal([sa], table.OfConnection("second"));

        table.Remove(sa);
        sa.Remote = new IPEndPoint(PeerA, 500); // no longer in the table: nothing to update
        Assert.Empty(table.OfPeer(PeerA));
        Assert.Equal(0, table.HalfOpen);
    }

    [Fact]
    public void New_spis_are_never_zero_nor_taken()
    {
        var table = new IkeSaManager();
        var taken = Sa(true, PeerA);
        table.Add(taken, 0);
        // A source that first yields zero, then the SPI in use, then a fresh one.
        var random = new ScriptedRandom([0, taken.SpiI, 0x42]);
        Assert.Equal(0x42UL, table.NewSpi(random));
    }

    private sealed class ScriptedRandom(ulong[] values) : Petrel.Crypto.Primitives.IRandom
    {
        private int _next;
        public void Fill(Span<byte> destination) =>
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(destination, values[_next++]);
    }
}

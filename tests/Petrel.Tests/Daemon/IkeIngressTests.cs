using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Petrel.Daemon;

namespace Petrel.Tests.Daemon;

/// <summary>
/// The bounded way from the sockets to the engine: requests for new SAs are shed first and never take the
/// room of established SAs' messages, and the queue never holds more than its capacities.
/// </summary>
public class IkeIngressTests
{
    private static readonly IPEndPoint Local = new(IPAddress.Loopback, 500);

    /// <summary>An IKE header (RFC 7296 §3.1) with the given responder SPI and flags, and a marker byte after it.</summary>
    private static byte[] Message(ulong spiR, byte flags, byte exchange = 34, byte marker = 0)
    {
        var m = new byte[29];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(m, 0x1122334455667788);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(m.AsSpan(8), spiR);
        m[17] = 0x20;
        m[18] = exchange;
        m[19] = flags;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(24), (uint)m.Length);
        m[28] = marker;
        return m;
    }

    private static IPEndPoint Peer(int i) => new(new IPAddress([198, 18, (byte)(i >> 8), (byte)i]), 500);

    [Fact]
    public void Only_requests_with_a_zero_responder_spi_ask_for_a_new_sa()
    {
        Assert.True(IkeIngress.CreatesSa(Message(0, 0x08)));                 // IKE_SA_INIT request
        Assert.True(IkeIngress.CreatesSa(Message(0, 0x00, exchange: 2)));    // IKEv1 Main Mode, first message
        Assert.False(IkeIngress.CreatesSa(Message(0, 0x20)));                // IKE_SA_INIT response (INVALID_KE, COOKIE)
        Assert.False(IkeIngress.CreatesSa(Message(7, 0x08, exchange: 35)));  // IKE_AUTH
        Assert.False(IkeIngress.CreatesSa(Message(7, 0x00, exchange: 37)));  // INFORMATIONAL of an SA
        Assert.True(IkeIngress.CreatesSa(new byte[27]));                     // too short to tell: not an SA's message
        Assert.True(IkeIngress.CreatesSa([0xFF]));                           // NAT keepalive
    }

    [Fact]
    public void A_full_new_sa_lane_sheds_while_existing_sas_keep_their_room_and_go_first()
    {
        var ingress = new IkeIngress(saCapacity: 4, newSaCapacity: 8);
        for (int i = 0; i < 100; i++)
            Assert.Equal(i < 8, ingress.TryEnqueue(Local, Peer(i), Message(0, 0x08, marker: (byte)i)));
        Assert.Equal(92, ingress.ShedNewSa);
        for (int i = 0; i < 4; i++)
            Assert.True(ingress.TryEnqueue(Local, Peer(1), Message(9, 0x08, exchange: 37, marker: (byte)(200 + i))));
        Assert.False(ingress.TryEnqueue(Local, Peer(1), Message(9, 0x08, exchange: 37)));
        Assert.Equal(1, ingress.ShedSa);
        Assert.Equal(12, ingress.Queued);

        var markers = new List<byte>();
        int n = ingress.Drain(6, (_, _, m) => markers.Add(m[28]));
        Assert.Equal(6, n);
        Assert.Equal([200, 201, 202, 203, 0, 1], markers); // the SA lane first, each lane in order
        Assert.Equal(6, ingress.Queued);
        ingress.Drain(100, (_, _, m) => markers.Add(m[28]));
        Assert.Equal([200, 201, 202, 203, 0, 1, 2, 3, 4, 5, 6, 7], markers);
        Assert.Equal(0, ingress.Queued);
        // Room again once drained.
        Assert.True(ingress.TryEnqueue(Local, Peer(1), Message(0, 0x08)));
    }

    /// <summary>An IKE_SA_INIT request whose first payload is N(COOKIE) (RFC 7296 §2.6), marker after it.</summary>
    private static byte[] WithCookie(byte marker)
    {
        var m = new byte[28 + 8 + 33 + 1];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(m, 0x0102030405060708);
        m[16] = 41; // first payload: Notify
        m[17] = 0x20;
        m[18] = 34;
        m[19] = 0x08;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(24), (uint)m.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(30), 8 + 33);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(34), 16390);
        m[28] = marker; // next-payload byte of the notify: doubles as the marker
        return m;
    }

    [Fact]
    public void A_request_returning_a_cookie_is_not_queued_behind_a_flood_without_one()
    {
        var ingress = new IkeIngress(saCapacity: 4, newSaCapacity: 8);
        Assert.True(IkeIngress.ReturnsCookie(WithCookie(0)));
        Assert.False(IkeIngress.ReturnsCookie(Message(0, 0x08)));
        for (int i = 0; i < 50; i++) ingress.TryEnqueue(Local, Peer(i), Message(0, 0x08, marker: 1));
        Assert.True(ingress.TryEnqueue(Local, Peer(7), WithCookie(9)));
        Assert.Equal(42, ingress.ShedNewSa);
        var first = new List<byte>();
        ingress.Drain(1, (_, _, m) => first.Add(m[28]));
        Assert.Equal([9], first);
    }

    [Fact]
    public async Task Under_a_flood_the_loop_holds_at_most_its_capacity_and_an_sa_message_overtakes_the_flood()
    {
        var engine = new FakeEngine { ReceiveDelay = TimeSpan.FromMilliseconds(1) };
        var ingress = new IkeIngress(saCapacity: 64, newSaCapacity: 32);
        await using var loop = new EngineLoop(engine, NullLogger<EngineLoop>.Instance, ingress);
        loop.Start();
        int maxQueued = 0, accepted = 0;
        for (int i = 0; i < 20000; i++)
        {
            if (loop.PostDatagram(Local, Peer(i), Message(0, 0x08, marker: 1))) accepted++;
            maxQueued = Math.Max(maxQueued, ingress.Queued);
        }
        Assert.True(loop.PostDatagram(Local, Peer(1), Message(9, 0x08, exchange: 37, marker: 2)));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (ingress.Queued > 0 && DateTime.UtcNow < deadline) await Task.Delay(10);

        Assert.True(maxQueued <= 64 + 32 + 32, $"queued {maxQueued}");
        Assert.True(ingress.ShedNewSa >= 20000 - 32 - 5000, $"shed {ingress.ShedNewSa}"); // the engine took at most ~1 per ms
        Assert.Equal(20000, accepted + ingress.ShedNewSa);
        List<byte[]> seen;
        lock (engine.Datagrams) seen = [.. engine.Datagrams];
        Assert.Equal(accepted + 1, seen.Count);
        // The SA's message waited behind at most one round of the flood, not behind everything queued before it.
        int at = seen.FindIndex(m => m[28] == 2);
        Assert.True(at >= 0);
        Assert.True(seen.Count - 1 - at <= 32, $"{seen.Count - 1 - at} flood datagrams were handled after the SA's message");
        Assert.Equal(0, ingress.ShedSa);
    }
}

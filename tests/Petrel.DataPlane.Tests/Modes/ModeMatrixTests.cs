using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Tests.Ah;
using Petrel.DataPlane.Tests.Esp;
using Petrel.DataPlane.Tests.Packets;

namespace Petrel.DataPlane.Tests.Modes;

/// <summary>
/// Every protocol × mode × IP version, with and without ESN: what the data plane sends is checked
/// with the naive reference encoders (<see cref="ReferenceEsp"/>, <see cref="ReferenceAh"/>) written
/// from the RFC layouts, and packets those encoders build are accepted and turned back into
/// the host's packet. ESN rows start the sender at 2^32 (the low 32 bits on the wire are 0, the
/// high bits only in the ICV) and walk the receiver across the wrap of the low 32 bits.
/// </summary>
public sealed class ModeMatrixTests
{
    private const byte Udp = 17;

    public static TheoryData<string, bool, bool, bool, bool, bool> Cases()
    {
        var data = new TheoryData<string, bool, bool, bool, bool, bool>();
        foreach (bool ah in new[] { false, true })
        foreach (bool esn in new[] { false, true })
        {
            foreach (bool outer6 in new[] { false, true })
            foreach (bool inner6 in new[] { false, true })
                data.Add(Name(ah, false, outer6, inner6, esn), ah, false, outer6, inner6, esn);
            foreach (bool v6 in new[] { false, true })
                data.Add(Name(ah, true, v6, v6, esn), ah, true, v6, v6, esn);
        }
        return data;
    }

    private static string Name(bool ah, bool transport, bool outer6, bool inner6, bool esn) =>
        $"{(ah ? "AH" : "ESP")} {(transport ? "transport" : "tunnel")} outer v{(outer6 ? 6 : 4)} inner v{(inner6 ? 6 : 4)}{(esn ? " ESN" : "")}";

    private static byte[] HostPacket(ModePair pair, bool inner6)
    {
        if (pair.Transport)
        {
            return inner6
                ? TestPackets.Ipv6Udp(pair.AddressA.ToString(), pair.AddressB.ToString(), 40000, 5001, 100)
                : TestPackets.Ipv4Udp(pair.AddressA.ToString(), pair.AddressB.ToString(), 40000, 5001, 100);
        }
        return inner6
            ? TestPackets.Ipv6Udp("2001:db8:1::5", "2001:db8:2::7", 40000, 5001, 100)
            : TestPackets.Ipv4Udp("10.1.0.5", "10.2.0.7", 40000, 5001, 100);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sent_packet_matches_the_rfc_layout(string name, bool ah, bool transport, bool outer6, bool inner6, bool esn)
    {
        using var pair = new ModePair(ah, transport, outer6, esn);
        var host = HostPacket(pair, inner6);
        int hostHeader = inner6 ? 40 : 20;
        // With ESN the counter continues at 2^32: the wire carries low bits 0, the ICV high bits 1.
        ulong seq = esn ? 1UL << 32 : 1;
        if (esn)
            Assert.True(pair.A.ResumeOutboundSequence(1, seq - 1));
        Assert.Equal(DropReason.None, Pipeline.KernelPair.Send(pair.A, host));

        if (!ah)
        {
            var (peer, esp) = Assert.Single(pair.OuterA.Sent);
            Assert.Equal(pair.AddressB, peer.Remote.Address);
            Assert.False(peer.UdpEncapsulation);
            var opened = ReferenceEsp.OpenCbcHmac(ModePair.EncKey, ModePair.AuthKey, HashAlgorithmName.SHA256, 16, esn, seq, esp);
            Assert.NotNull(opened);
            Assert.Equal(ModePair.Spi, opened.Spi);
            Assert.Equal((uint)seq, opened.Sequence);
            if (transport)
            {
                // RFC 4303 §3.1.1: only the upper-layer payload is inside; Next Header is its protocol.
                Assert.Equal(host[hostHeader..], opened.Inner);
                Assert.Equal(Udp, opened.NextHeader);
            }
            else
            {
                Assert.Equal(host, opened.Inner);
                Assert.Equal(inner6 ? 41 : 4, opened.NextHeader);
            }
            if (esn)
            {
                // The same packet without the high bits in the ICV does not verify: they were covered.
                Assert.Null(ReferenceEsp.OpenCbcHmac(ModePair.EncKey, ModePair.AuthKey, HashAlgorithmName.SHA256, 16, esn, (uint)seq, esp));
            }
            return;
        }

        var wire = Assert.Single(pair.OuterA.SentIp);
        int outerHeader = outer6 ? 40 : 20;
        int ahLength = ReferenceAh.Length(outer6);
        Assert.Equal(outer6 ? 6 : 4, wire[0] >> 4);
        Assert.Equal(51, wire[outer6 ? 6 : 9]);
        Assert.Equal(pair.AddressA.GetAddressBytes(), outer6 ? wire[8..24] : wire[12..16]);
        Assert.Equal(pair.AddressB.GetAddressBytes(), outer6 ? wire[24..40] : wire[16..20]);
        if (outer6)
            Assert.Equal(wire.Length - 40, BinaryPrimitives.ReadUInt16BigEndian(wire.AsSpan(4)));
        else
        {
            Assert.Equal(wire.Length, BinaryPrimitives.ReadUInt16BigEndian(wire.AsSpan(2)));
            Assert.Equal(0, TestPackets.Checksum(wire.AsSpan(0, 20)));
        }
        // AH: Next Header, Payload Len (32-bit words − 2), reserved, SPI, low sequence bits.
        Assert.Equal(transport ? Udp : (byte)(inner6 ? 41 : 4), wire[outerHeader]);
        Assert.Equal(ahLength / 4 - 2, wire[outerHeader + 1]);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(wire.AsSpan(outerHeader + 2)));
        Assert.Equal(ModePair.Spi, BinaryPrimitives.ReadUInt32BigEndian(wire.AsSpan(outerHeader + 4)));
        Assert.Equal((uint)seq, BinaryPrimitives.ReadUInt32BigEndian(wire.AsSpan(outerHeader + 8)));
        Assert.Equal(ReferenceAh.Icv(wire, outerHeader, seq, esn, ModePair.AuthKey), wire[(outerHeader + 12)..(outerHeader + 28)]);
        if (outer6)
            Assert.Equal(new byte[4], wire[(outerHeader + 28)..(outerHeader + 32)]);   // §2.6 padding to 64 bits
        if (esn)
            Assert.NotEqual(ReferenceAh.Icv(wire, outerHeader, (uint)seq, esn, ModePair.AuthKey), wire[(outerHeader + 12)..(outerHeader + 28)]);
        if (transport)
        {
            // RFC 4302 §3.1.1: the host's own header stays (only protocol and lengths change), AH
            // goes between it and the unchanged upper-layer payload.
            Assert.Equal(host[hostHeader..], wire[(outerHeader + ahLength)..]);
            if (outer6)
                Assert.Equal(host[7], wire[7]);
            else
                Assert.Equal(host[4..9], wire[4..9]);
        }
        else
        {
            Assert.Equal(host, wire[(outerHeader + ahLength)..]);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Independently_built_packets_are_accepted_and_replays_and_forgeries_dropped(string name, bool ah, bool transport, bool outer6, bool inner6, bool esn)
    {
        using var pair = new ModePair(ah, transport, outer6, esn);
        // ESN: the last two cross the wrap of the low 32 bits; the receiver infers high bits 1.
        ulong[] sequence = esn ? [0x7FFFFFFF, 0xFFFFFFF0, (1UL << 32) + 5] : [1, 2, 0xFFFFFFFF];
        int hostHeader = inner6 ? 40 : 20;
        for (int i = 0; i < sequence.Length; i++)
        {
            var host = HostPacket(pair, inner6);
            host[^1] = (byte)i;
            FixUdpChecksum(host, inner6);
            ulong seq = sequence[i];
            if (esn && seq > uint.MaxValue)
            {
                // The right low bits with the wrong (0) high bits in the ICV: a forgery for this window.
                var wrongHigh = Build(pair, host, hostHeader, seq, icvSeq: (uint)seq);
                Assert.Equal(DropReason.IntegrityFailure, Deliver(pair, wrongHigh));
            }
            var packet = Build(pair, host, hostHeader, seq, icvSeq: seq);
            Assert.Equal(DropReason.None, Deliver(pair, packet));
            Assert.Equal(i + 1, pair.TunB.Written.Count);
            AssertDelivered(pair, host, hostHeader, pair.TunB.Written[^1]);
            // The same packet again is a replay (RFC 4303 §3.4.3 / RFC 4302 §3.4.3).
            Assert.Equal(DropReason.Replay, Deliver(pair, packet));
        }
        Assert.True(pair.B.TryGetCounters(ModePair.Spi, Kernel.SaDirection.Inbound, out var counters));
        Assert.Equal((ulong)sequence.Length, counters.Packets);
        Assert.Equal((ulong)sequence.Length, counters.ReplayDrops);
        Assert.Equal(esn ? 1UL : 0UL, counters.IntegrityFailures);
    }

    /// <summary>RFC 4303 §2.6: a dummy packet (Next Header 59) is authenticated, counted and dropped without reaching the host.</summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Dummy_packets_are_dropped_silently(bool ah, bool transport)
    {
        using var pair = new ModePair(ah, transport, outer6: false, esn: false);
        byte[] filler = [0xde, 0xad, 0xbe, 0xef];
        byte[] packet;
        if (ah)
        {
            var header = TestPackets.Ipv4(pair.AddressA.ToString(), pair.AddressB.ToString(), 51, [])[..20];
            packet = ReferenceAh.Build(header, 59, ModePair.Spi, 1, false, filler, ModePair.AuthKey);
        }
        else
        {
            packet = ReferenceEsp.SealCbcHmac(ModePair.EncKey, ModePair.AuthKey, HashAlgorithmName.SHA256, 16, ModePair.Spi, 1, false,
                new byte[16], ReferenceEsp.Trailer(filler, 59, 16));
        }
        Assert.Equal(DropReason.Dummy, ah ? pair.DeliverAh(packet) : pair.DeliverEsp(packet));
        Assert.Empty(pair.TunB.Written);
        Assert.Equal(1L, pair.B.Statistics.Dropped(DropReason.Dummy));
    }

    private static DropReason Deliver(ModePair pair, byte[] packet) => pair.Ah ? pair.DeliverAh(packet) : pair.DeliverEsp(packet);

    /// <summary>The packet host A would send for host (transport) or the inner packet (tunnel), built by the reference encoders.</summary>
    private static byte[] Build(ModePair pair, byte[] host, int hostHeader, ulong seq, ulong icvSeq)
    {
        bool outer6 = pair.AddressA.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        if (!pair.Ah)
        {
            var iv = new byte[16];
            BinaryPrimitives.WriteUInt64BigEndian(iv, seq);
            var content = pair.Transport ? host[hostHeader..] : host;
            byte next = pair.Transport ? host[hostHeader == 40 ? 6 : 9] : (byte)(hostHeader == 40 ? 41 : 4);
            var esp = ReferenceEsp.SealCbcHmac(ModePair.EncKey, ModePair.AuthKey, HashAlgorithmName.SHA256, 16, ModePair.Spi, seq, pair.Esn,
                iv, ReferenceEsp.Trailer(content, next, 16));
            if (icvSeq != seq)
            {
                // Same bytes, ICV computed with other high bits.
                var icv = ReferenceEsp.Icv(ModePair.AuthKey, HashAlgorithmName.SHA256, 16, esp[..^16], icvSeq, pair.Esn);
                icv.CopyTo(esp, esp.Length - 16);
            }
            return esp;
        }
        byte[] header;
        byte ahNext;
        byte[] payload;
        if (pair.Transport)
        {
            header = host[..hostHeader];
            ahNext = header[hostHeader == 40 ? 6 : 9];
            header[hostHeader == 40 ? 6 : 9] = 51;
            payload = host[hostHeader..];
        }
        else
        {
            header = outer6
                ? TestPackets.Ipv6(pair.AddressA.ToString(), pair.AddressB.ToString(), 51, [])
                : TestPackets.Ipv4(pair.AddressA.ToString(), pair.AddressB.ToString(), 51, []);
            ahNext = (byte)(hostHeader == 40 ? 41 : 4);
            payload = host;
        }
        var packet = ReferenceAh.Build(header, ahNext, ModePair.Spi, seq, pair.Esn, payload, ModePair.AuthKey);
        if (icvSeq != seq)
            ReferenceAh.Icv(packet, header.Length, icvSeq, pair.Esn, ModePair.AuthKey).CopyTo(packet, header.Length + 12);
        return packet;
    }

    private static void AssertDelivered(ModePair pair, byte[] host, int hostHeader, byte[] written)
    {
        if (!pair.Transport || pair.Ah)
        {
            // Tunnel: the inner packet as sent; AH transport: the original packet restored.
            Assert.Equal(host, written);
            return;
        }
        // ESP transport: a header from the SA's addresses in front of the decrypted payload.
        Assert.Equal(host.Length, written.Length);
        Assert.Equal(host[hostHeader..], written[hostHeader..]);
        if (hostHeader == 40)
        {
            Assert.Equal(0x60, written[0] & 0xF0);
            Assert.Equal(host.Length - 40, BinaryPrimitives.ReadUInt16BigEndian(written.AsSpan(4)));
            Assert.Equal(Udp, written[6]);
            Assert.Equal(pair.AddressA.GetAddressBytes(), written[8..24]);
            Assert.Equal(pair.AddressB.GetAddressBytes(), written[24..40]);
        }
        else
        {
            Assert.Equal(0x45, written[0]);
            Assert.Equal(host.Length, BinaryPrimitives.ReadUInt16BigEndian(written.AsSpan(2)));
            Assert.Equal(Udp, written[9]);
            Assert.Equal(0, TestPackets.Checksum(written.AsSpan(0, 20)));
            Assert.Equal(pair.AddressA.GetAddressBytes(), written[12..16]);
            Assert.Equal(pair.AddressB.GetAddressBytes(), written[16..20]);
        }
    }

    /// <summary>UDP checksum over the pseudo-header (RFC 768 / RFC 8200 §8.1), so a rebuilt header is checked end to end.</summary>
    private static void FixUdpChecksum(byte[] packet, bool ipv6)
    {
        int h = ipv6 ? 40 : 20;
        packet[h + 6] = packet[h + 7] = 0;
        var udp = packet[h..];
        byte[] pseudo = ipv6
            ? [.. packet[8..40], 0, 0, (byte)(udp.Length >> 8), (byte)udp.Length, 0, 0, 0, 17]
            : [.. packet[12..20], 0, 17, (byte)(udp.Length >> 8), (byte)udp.Length];
        ushort sum = TestPackets.Checksum([.. pseudo, .. udp]);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(h + 6), sum == 0 ? (ushort)0xFFFF : sum);
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Petrel.Tests.Harness;

/// <summary>
/// Hostile input for an IKE/ESP endpoint, sent from the peer's namespace with the peer's own
/// addresses and ports (spoofed through a raw socket): truncated, oversized and garbage datagrams
/// on UDP 500 and 4500, ESP with an unknown SPI, ESP with a broken ICV, and replays of a real
/// ESP packet taken from a capture.
/// </summary>
public static class HostilePackets
{
    public sealed record Sent(int Total, int Replays, int BadIcv, int UnknownSpi)
    {
        /// <summary>ESP packets the target must drop as belonging to the live SA (replays and bad ICVs).</summary>
        public int SaDrops => Replays + BadIcv;
    }

    /// <summary>The first ESP-in-UDP datagram from <paramref name="from"/> to <paramref name="to"/> in a full-length capture.</summary>
    public static PcapReader.UdpDatagram? FindEsp(string pcap, LabSite from, LabSite to)
    {
        var src = IPAddress.Parse(from.OuterV4);
        var dst = IPAddress.Parse(to.OuterV4);
        foreach (var d in PcapReader.ReadUdp(pcap))
        {
            // RFC 3948 §2.2: a zero first word is the non-ESP marker (IKE); one 0xFF byte is a keepalive.
            if (d.DestinationPort == 4500 && d.Source.Equals(src) && d.Destination.Equals(dst) &&
                d.Payload.Length > 16 && BinaryPrimitives.ReadUInt32BigEndian(d.Payload) != 0)
                return d;
        }
        return null;
    }

    public static Sent Inject(NamespacePair lab, LabSite attacker, LabSite target, PcapReader.UdpDatagram esp, int replays = 3)
    {
        var src = IPAddress.Parse(attacker.OuterV4);
        var dst = IPAddress.Parse(target.OuterV4);
        var rng = new Random(4242);
        int total = 0;
        using var raw = new RawUdpSender(attacker.Namespace);
        void Send(int sport, int dport, byte[] payload) { raw.Send(src, sport, dst, dport, payload); total++; Thread.Sleep(2); }
        byte[] Random(int n) { var b = new byte[n]; rng.NextBytes(b); return b; }

        // UDP 500: IKE header fragments, garbage, a header whose length field lies.
        Send(500, 500, Random(1));
        Send(500, 500, Random(10));
        Send(500, 500, Random(300));
        var lying = Random(28);
        lying[16] = 0x21; // next payload SA
        lying[17] = 0x20; // IKEv2
        lying[18] = 34;   // IKE_SA_INIT
        lying[19] = 0x08; // initiator
        BinaryPrimitives.WriteUInt32BigEndian(lying.AsSpan(24), 0xFFFF_FFFF);
        Send(500, 500, lying);
        var zeroLength = (byte[])lying.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(zeroLength.AsSpan(24), 0);
        Send(500, 500, zeroLength);

        // UDP 4500: non-ESP marker + truncated IKE, truncated ESP, garbage with a random SPI.
        Send(4500, 4500, [0, 0, 0, 0, .. Random(10)]);
        Send(4500, 4500, [0, 0, 0, 0]);
        Send(4500, 4500, esp.Payload[..6]);
        Send(4500, 4500, esp.Payload[..12]);
        Send(4500, 4500, Random(200));

        // ESP for an SPI nobody negotiated.
        var unknownSpi = (byte[])esp.Payload.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(unknownSpi, BinaryPrimitives.ReadUInt32BigEndian(unknownSpi) ^ 0x5a5a5a5a);
        Send(4500, 4500, unknownSpi);

        // The live SPI with a fresh sequence number but a broken ICV (RFC 4303 §3.4.4: dropped, counted).
        var badIcv = (byte[])esp.Payload.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(badIcv.AsSpan(4), 0x7fff_0000);
        badIcv[^1] ^= 0x01;
        Send(4500, 4500, badIcv);

        // Replays of a packet the receiver already accepted (RFC 4303 §3.4.3).
        for (int i = 0; i < replays; i++) Send(4500, 4500, esp.Payload);

        // Oversized: 60 000-byte datagrams (the kernel fragments them) from an unrelated port.
        using (var big = NamespaceSocket.Create(attacker.Namespace, AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            big.Bind(new IPEndPoint(src, 0));
            big.SendTo(Random(60_000), new IPEndPoint(dst, 500)); total++;
            big.SendTo(Random(60_000), new IPEndPoint(dst, 4500)); total++;
        }
        return new Sent(total, replays, 1, 1);
    }
}

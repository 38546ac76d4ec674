using System.Buffers.Binary;
using System.Net;

namespace Petrel.Tests.Harness;

/// <summary>
/// Reads UDP datagrams out of a classic libpcap file written by tcpdump on an Ethernet (veth)
/// interface: enough to pick a real ESP-in-UDP packet from a capture and replay it.
/// </summary>
public static class PcapReader
{
    public sealed record UdpDatagram(IPAddress Source, int SourcePort, IPAddress Destination, int DestinationPort, byte[] Payload);

    public static IReadOnlyList<UdpDatagram> ReadUdp(string path)
    {
        var data = File.ReadAllBytes(path);
        var result = new List<UdpDatagram>();
        if (data.Length < 24) return result;
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(data);
        bool le = magic is 0xa1b2c3d4 or 0xa1b23c4d;
        if (!le && magic is not (0xd4c3b2a1 or 0x4d3cb2a1)) throw new FormatException($"{path} is not a libpcap file");
        uint linkType = Read32(data.AsSpan(20), le);
        if (linkType != 1) throw new FormatException($"{path}: link type {linkType}, expected Ethernet");
        int off = 24;
        while (off + 16 <= data.Length)
        {
            int caplen = (int)Read32(data.AsSpan(off + 8), le);
            off += 16;
            if (off + caplen > data.Length) break;
            var frame = data.AsSpan(off, caplen);
            off += caplen;
            if (frame.Length < 14 + 20 + 8) continue;
            ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
            if (etherType != 0x0800) continue;
            var ip = frame[14..];
            int ihl = (ip[0] & 0x0f) * 4;
            if (ip[9] != 17 || ip.Length < ihl + 8) continue;
            int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
            var udp = ip[ihl..Math.Min(ip.Length, totalLength)];
            int udpLength = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
            if (udpLength < 8 || udpLength > udp.Length) continue; // truncated by the snap length
            result.Add(new UdpDatagram(new IPAddress(ip.Slice(12, 4)), BinaryPrimitives.ReadUInt16BigEndian(udp),
                new IPAddress(ip.Slice(16, 4)), BinaryPrimitives.ReadUInt16BigEndian(udp[2..]), udp[8..udpLength].ToArray()));
        }
        return result;
    }

    private static uint Read32(ReadOnlySpan<byte> s, bool le) =>
        le ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);
}

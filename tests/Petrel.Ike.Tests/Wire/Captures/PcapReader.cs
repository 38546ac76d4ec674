using System.Buffers.Binary;
using System.Net;

namespace Petrel.Ike.Tests.Wire.Captures;

/// <summary>
/// Just enough of libpcap and pcapng to pull UDP-over-IPv4/IPv6 datagrams out of Ethernet or raw-IP
/// captures. Frames that are not UDP are skipped but still counted, so frame numbers match Wireshark's.
/// </summary>
internal static class PcapReader
{
    private const int LinkEthernet = 1, LinkRaw = 101, LinkRawIpv4 = 228;

    public static List<CapturedDatagram> ReadUdp(string path)
    {
        var data = File.ReadAllBytes(path);
        var frames = BinaryPrimitives.ReadUInt32BigEndian(data) == 0x0A0D0D0A ? ReadPcapNg(data) : ReadPcap(data);
        var result = new List<CapturedDatagram>();
        for (int i = 0; i < frames.Count; i++)
        {
            var (link, frame) = frames[i];
            if (TryParseUdp(link, frame, out var src, out var dst, out var payload))
                result.Add(new CapturedDatagram(i + 1, src!, dst!, payload!));
        }
        return result;
    }

    private static List<(int Link, byte[] Frame)> ReadPcap(byte[] data)
    {
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(data);
        bool little = magic is 0xa1b2c3d4 or 0xa1b23c4d;
        if (!little && BinaryPrimitives.ReadUInt32BigEndian(data) is not (0xa1b2c3d4 or 0xa1b23c4d))
            throw new InvalidDataException("not a pcap file");
        uint U32(int offset) => little ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset)) : BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(offset));
        int link = (int)U32(20);
        var frames = new List<(int, byte[])>();
        int pos = 24;
        while (pos + 16 <= data.Length)
        {
            int captured = (int)U32(pos + 8);
            frames.Add((link, data.AsSpan(pos + 16, captured).ToArray()));
            pos += 16 + captured;
        }
        return frames;
    }

    private static List<(int Link, byte[] Frame)> ReadPcapNg(byte[] data)
    {
        var frames = new List<(int, byte[])>();
        var links = new List<int>();
        bool little = true;
        int pos = 0;
        while (pos + 12 <= data.Length)
        {
            uint type = little ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(pos)) : BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(pos));
            if (type == 0x0A0D0D0A)
            {
                // Section Header Block: the byte-order magic decides how the rest of the section reads.
                little = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(pos + 8)) == 0x1A2B3C4D;
                links.Clear();
            }
            uint U32(int offset) => little ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset)) : BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(offset));
            ushort U16(int offset) => little ? BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(offset)) : BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset));
            int length = (int)U32(pos + 4);
            switch (type)
            {
                case 1: // Interface Description Block
                    links.Add(U16(pos + 8));
                    break;
                case 6: // Enhanced Packet Block
                    int iface = (int)U32(pos + 8);
                    int captured = (int)U32(pos + 20);
                    frames.Add((links[iface], data.AsSpan(pos + 28, captured).ToArray()));
                    break;
                case 3: // Simple Packet Block
                    int orig = (int)U32(pos + 8);
                    frames.Add((links[0], data.AsSpan(pos + 12, Math.Min(orig, length - 16)).ToArray()));
                    break;
            }
            pos += length;
        }
        return frames;
    }

    private static bool TryParseUdp(int link, byte[] frame, out IPEndPoint? src, out IPEndPoint? dst, out byte[]? payload)
    {
        src = dst = null;
        payload = null;
        int ip;
        if (link == LinkEthernet)
        {
            int etherType = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12));
            ip = 14;
            if (etherType == 0x8100) { etherType = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(16)); ip = 18; }
            if (etherType is not (0x0800 or 0x86DD)) return false;
        }
        else if (link is LinkRaw or LinkRawIpv4) ip = 0;
        else return false;

        int version = frame[ip] >> 4;
        int udp, protocol;
        IPAddress s, d;
        if (version == 4)
        {
            protocol = frame[ip + 9];
            s = new IPAddress(frame.AsSpan(ip + 12, 4));
            d = new IPAddress(frame.AsSpan(ip + 16, 4));
            udp = ip + (frame[ip] & 0x0f) * 4;
        }
        else if (version == 6)
        {
            protocol = frame[ip + 6];
            s = new IPAddress(frame.AsSpan(ip + 8, 16));
            d = new IPAddress(frame.AsSpan(ip + 24, 16));
            udp = ip + 40;
        }
        else return false;
        if (protocol != 17) return false;
        int sport = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(udp));
        int dport = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(udp + 2));
        int udpLength = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(udp + 4));
        src = new IPEndPoint(s, sport);
        dst = new IPEndPoint(d, dport);
        payload = frame.AsSpan(udp + 8, udpLength - 8).ToArray();
        return true;
    }
}

using System.Buffers.Binary;
using System.Net;

namespace Petrel.DataPlane.Tests.Offload;

/// <summary>
/// TCP/IP packets built field by field from RFC 791 / RFC 8200 / RFC 9293 layouts, with a
/// byte-pair reference checksum (RFC 1071 §4.1's loop), independent of the code under test.
/// </summary>
internal static class TcpTestPackets
{
    public const int TcpHeaderLength = 32; // 20 + NOP NOP timestamps (RFC 7323 §3)

    public static byte[] Tcp(bool v6, int payloadLength, uint seq, byte flags, ushort ipId = 100, int payloadSeed = 1,
        string src4 = "10.1.0.1", string dst4 = "10.2.0.1", ushort srcPort = 40000, bool partialChecksum = false)
    {
        int ip = v6 ? 40 : 20;
        var p = new byte[ip + TcpHeaderLength + payloadLength];
        if (v6)
        {
            p[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), (ushort)(TcpHeaderLength + payloadLength));
            p[6] = 6;
            p[7] = 64;
            IPAddress.Parse("fd00:1::1").GetAddressBytes().CopyTo(p, 8);
            IPAddress.Parse("fd00:2::1").GetAddressBytes().CopyTo(p, 24);
        }
        else
        {
            p[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)p.Length);
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), ipId);
            p[6] = 0x40; // DF
            p[8] = 64;
            p[9] = 6;
            IPAddress.Parse(src4).GetAddressBytes().CopyTo(p, 12);
            IPAddress.Parse(dst4).GetAddressBytes().CopyTo(p, 16);
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), Checksum(p.AsSpan(0, 20), 0));
        }
        var t = p.AsSpan(ip);
        BinaryPrimitives.WriteUInt16BigEndian(t, srcPort);
        BinaryPrimitives.WriteUInt16BigEndian(t[2..], 5201);
        BinaryPrimitives.WriteUInt32BigEndian(t[4..], seq);
        BinaryPrimitives.WriteUInt32BigEndian(t[8..], 777);
        t[12] = (TcpHeaderLength / 4) << 4;
        t[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(t[14..], 501);
        t[20] = 1; t[21] = 1; t[22] = 8; t[23] = 10;
        BinaryPrimitives.WriteUInt32BigEndian(t[24..], 12345);
        BinaryPrimitives.WriteUInt32BigEndian(t[28..], 54321);
        new Random(payloadSeed).NextBytes(t[TcpHeaderLength..]);
        uint pseudo = PseudoSum(p, t.Length);
        if (partialChecksum)
            BinaryPrimitives.WriteUInt16BigEndian(t[16..], (ushort)~Checksum(default, pseudo)); // folded, uncomplemented, as the kernel leaves it
        else
            BinaryPrimitives.WriteUInt16BigEndian(t[16..], Checksum(t, pseudo));
        return p;
    }

    public static uint PseudoSum(byte[] p, int upperLength)
    {
        uint sum = 6u + (uint)upperLength;
        if (p[0] >> 4 == 4)
        {
            for (int i = 12; i < 20; i += 2) sum += (uint)(p[i] << 8 | p[i + 1]);
        }
        else
        {
            for (int i = 8; i < 40; i += 2) sum += (uint)(p[i] << 8 | p[i + 1]);
        }
        return sum;
    }

    /// <summary>RFC 1071 §4.1: add 16-bit words, fold carries, complement.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data, uint initial)
    {
        ulong sum = initial;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
            sum += (uint)(data[i] << 8 | data[i + 1]);
        if (i < data.Length)
            sum += (uint)(data[i] << 8);
        while (sum >> 16 != 0)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    public static bool TcpChecksumValid(byte[] p)
    {
        int ip = p[0] >> 4 == 4 ? 20 : 40;
        return Checksum(p.AsSpan(ip), PseudoSum(p, p.Length - ip)) == 0;
    }

    public static bool Ipv4HeaderChecksumValid(byte[] p) => Checksum(p.AsSpan(0, 20), 0) == 0;
}

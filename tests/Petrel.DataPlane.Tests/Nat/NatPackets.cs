using System.Net;

namespace Petrel.DataPlane.Tests.Nat;

/// <summary>
/// IPv4/IPv6 TCP and UDP packets built byte by byte from the RFC layouts (RFC 791, RFC 8200,
/// RFC 9293 §3.1, RFC 768), with checksums from a plain word-by-word one's-complement sum, so
/// the tests do not lean on the data plane's own checksum code.
/// </summary>
internal static class NatPackets
{
    public const byte Tcp = 6;
    public const byte Udp = 17;

    /// <summary>An IP packet src → dst carrying a TCP segment (20-byte header, ACK|PSH) or a UDP datagram with payloadLength bytes; the checksum covers pseudoSrc/pseudoDst.</summary>
    public static byte[] Build(string src, string dst, byte protocol, int payloadLength, string? pseudoSrc = null, string? pseudoDst = null,
        int seed = 7, bool udpChecksumZero = false)
    {
        var s = IPAddress.Parse(src);
        var d = IPAddress.Parse(dst);
        bool v6 = s.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        int upperHeader = protocol == Tcp ? 20 : 8;
        int upper = upperHeader + payloadLength;
        int ipHeader = v6 ? 40 : 20;
        var p = new byte[ipHeader + upper];
        if (v6)
        {
            p[0] = 0x60;
            p[4] = (byte)(upper >> 8);
            p[5] = (byte)upper;
            p[6] = protocol;
            p[7] = 64;
            s.GetAddressBytes().CopyTo(p, 8);
            d.GetAddressBytes().CopyTo(p, 24);
        }
        else
        {
            p[0] = 0x45;
            p[2] = (byte)(p.Length >> 8);
            p[3] = (byte)p.Length;
            p[6] = 0x40;
            p[8] = 64;
            p[9] = protocol;
            s.GetAddressBytes().CopyTo(p, 12);
            d.GetAddressBytes().CopyTo(p, 16);
            ushort hc = Complement(Sum(p.AsSpan(0, 20), 0));
            p[10] = (byte)(hc >> 8);
            p[11] = (byte)hc;
        }
        int u = ipHeader;
        p[u] = 0xC3; p[u + 1] = 0x51;             // source port 50001
        p[u + 2] = 0x14; p[u + 3] = 0x51;         // destination port 5201
        if (protocol == Tcp)
        {
            p[u + 4] = 0x01; p[u + 5] = 0x02; p[u + 6] = 0x03; p[u + 7] = 0x04;   // sequence
            p[u + 8] = 0x0a; p[u + 9] = 0x0b; p[u + 10] = 0x0c; p[u + 11] = 0x0d; // acknowledgment
            p[u + 12] = 0x50;                     // data offset 5
            p[u + 13] = 0x18;                     // ACK|PSH
            p[u + 14] = 0xFA; p[u + 15] = 0xF0;   // window
        }
        else
        {
            p[u + 4] = (byte)(upper >> 8);
            p[u + 5] = (byte)upper;
        }
        var rng = new Random(seed);
        for (int i = u + upperHeader; i < p.Length; i++)
            p[i] = (byte)rng.Next(256);
        if (protocol == Udp && udpChecksumZero)
            return p;
        SetChecksum(p, pseudoSrc is null ? s : IPAddress.Parse(pseudoSrc), pseudoDst is null ? d : IPAddress.Parse(pseudoDst));
        return p;
    }

    /// <summary>Writes the upper-layer checksum of p computed over a pseudo-header with src/dst.</summary>
    public static void SetChecksum(byte[] p, IPAddress src, IPAddress dst)
    {
        int at = ChecksumAt(p);
        p[at] = 0;
        p[at + 1] = 0;
        ushort c = Complement(PseudoAndUpper(p, src, dst));
        if (Protocol(p) == Udp && c == 0)
            c = 0xFFFF;
        p[at] = (byte)(c >> 8);
        p[at + 1] = (byte)c;
    }

    /// <summary>True when the upper-layer checksum verifies against the packet's own header addresses (sum of all words = 0xFFFF).</summary>
    public static bool Verifies(byte[] p)
    {
        var (src, dst) = Addresses(p);
        return PseudoAndUpper(p, src, dst) == 0xFFFF;
    }

    public static ushort ChecksumField(byte[] p) => (ushort)(p[ChecksumAt(p)] << 8 | p[ChecksumAt(p) + 1]);

    /// <summary>Rewrites the header's source and destination as a NAT would, without touching the upper layer (the ESP payload is opaque to it).</summary>
    public static void RewriteAddresses(byte[] p, string src, string dst)
    {
        bool v6 = p[0] >> 4 == 6;
        IPAddress.Parse(src).GetAddressBytes().CopyTo(p, v6 ? 8 : 12);
        IPAddress.Parse(dst).GetAddressBytes().CopyTo(p, v6 ? 24 : 16);
        if (!v6)
        {
            p[10] = 0;
            p[11] = 0;
            ushort hc = Complement(Sum(p.AsSpan(0, 20), 0));
            p[10] = (byte)(hc >> 8);
            p[11] = (byte)hc;
        }
    }

    private static byte Protocol(byte[] p) => p[0] >> 4 == 6 ? p[6] : p[9];

    private static int ChecksumAt(byte[] p) => (p[0] >> 4 == 6 ? 40 : 20) + (Protocol(p) == Tcp ? 16 : 6);

    private static (IPAddress, IPAddress) Addresses(byte[] p) => p[0] >> 4 == 6
        ? (new IPAddress(p.AsSpan(8, 16)), new IPAddress(p.AsSpan(24, 16)))
        : (new IPAddress(p.AsSpan(12, 4)), new IPAddress(p.AsSpan(16, 4)));

    private static uint PseudoAndUpper(byte[] p, IPAddress src, IPAddress dst)
    {
        int header = p[0] >> 4 == 6 ? 40 : 20;
        int upper = p.Length - header;
        uint sum = Sum(src.GetAddressBytes(), 0);
        sum = Sum(dst.GetAddressBytes(), sum);
        sum += Protocol(p);
        sum += (uint)upper;
        sum = Sum(p.AsSpan(header), sum);
        while (sum > 0xFFFF)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return sum;
    }

    /// <summary>RFC 1071: big-endian 16-bit words, an odd last byte padded with zero.</summary>
    private static uint Sum(ReadOnlySpan<byte> data, uint sum)
    {
        for (int i = 0; i < data.Length; i += 2)
        {
            uint word = (uint)data[i] << 8;
            if (i + 1 < data.Length)
                word |= data[i + 1];
            sum += word;
            while (sum > 0xFFFF)
                sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return sum;
    }

    private static ushort Complement(uint sum)
    {
        while (sum > 0xFFFF)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}

using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Petrel.DataPlane.Policy;

/// <summary>Reads and writes traffic selectors in strongSwan's notation: CIDR, single address, or "a-b" range, with optional "[proto/port]".</summary>
internal static class TrafficSelectorParser
{
    public static TrafficSelector Parse(string text)
    {
        var s = text.Trim();
        byte proto = 0;
        ushort p0 = 0, p1 = 65535;
        int bracket = s.IndexOf('[');
        if (bracket >= 0)
        {
            if (!s.EndsWith(']'))
                throw new FormatException($"traffic selector '{text}': missing ']'");
            (proto, p0, p1) = ParseProtoPort(s[(bracket + 1)..^1], text);
            s = s[..bracket];
        }

        IPAddress start, end;
        int dash = s.IndexOf('-');
        int slash = s.IndexOf('/');
        if (dash > 0)
        {
            start = ParseAddress(s[..dash], text);
            end = ParseAddress(s[(dash + 1)..], text);
            if (start.AddressFamily != end.AddressFamily)
                throw new FormatException($"traffic selector '{text}': range mixes IPv4 and IPv6");
            if (Compare(start, end) > 0)
                throw new FormatException($"traffic selector '{text}': range start is above its end");
        }
        else if (slash > 0)
        {
            var addr = ParseAddress(s[..slash], text);
            int max = addr.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            if (!int.TryParse(s[(slash + 1)..], out int prefix) || prefix < 0 || prefix > max)
                throw new FormatException($"traffic selector '{text}': prefix length must be 0..{max}");
            (start, end) = PrefixRange(addr, prefix);
        }
        else
        {
            start = end = ParseAddress(s, text);
        }
        return new TrafficSelector(start, end, proto, p0, p1);
    }

    private static (byte, ushort, ushort) ParseProtoPort(string spec, string text)
    {
        string protoPart = spec, portPart = "";
        int slash = spec.IndexOf('/');
        if (slash >= 0) { protoPart = spec[..slash]; portPart = spec[(slash + 1)..]; }
        byte proto = protoPart.ToLowerInvariant() switch
        {
            "" or "any" or "%any" => 0,
            "icmp" => 1,
            "tcp" => 6,
            "udp" => 17,
            "ipv6-icmp" or "icmpv6" => 58,
            "sctp" => 132,
            var n when byte.TryParse(n, out var b) => b,
            _ => throw new FormatException($"traffic selector '{text}': unknown protocol '{protoPart}'"),
        };
        if (portPart is "" or "%any" or "any")
            return (proto, 0, 65535);
        int dash = portPart.IndexOf('-');
        if (dash > 0 && ushort.TryParse(portPart[..dash], out var a) && ushort.TryParse(portPart[(dash + 1)..], out var b2) && a <= b2)
            return (proto, a, b2);
        if (ushort.TryParse(portPart, out var single))
            return (proto, single, single);
        throw new FormatException($"traffic selector '{text}': bad port '{portPart}'");
    }

    private static IPAddress ParseAddress(string s, string text) =>
        IPAddress.TryParse(s, out var a) ? a : throw new FormatException($"traffic selector '{text}': '{s}' is not an IP address");

    public static (IPAddress Start, IPAddress End) PrefixRange(IPAddress addr, int prefix)
    {
        var bytes = addr.GetAddressBytes();
        var start = (byte[])bytes.Clone();
        var end = (byte[])bytes.Clone();
        for (int i = 0; i < bytes.Length * 8; i++)
        {
            if (i < prefix) continue;
            int b = i / 8, bit = 7 - (i % 8);
            start[b] &= (byte)~(1 << bit);
            end[b] |= (byte)(1 << bit);
        }
        return (new IPAddress(start), new IPAddress(end));
    }

    /// <summary>Compares two addresses of one family as unsigned big-endian numbers.</summary>
    public static int Compare(IPAddress a, IPAddress b)
    {
        Span<byte> x = stackalloc byte[16], y = stackalloc byte[16];
        a.TryWriteBytes(x, out int n);
        b.TryWriteBytes(y, out int m);
        if (n != m) return n.CompareTo(m);
        return x[..n].SequenceCompareTo(y[..m]);
    }

    /// <summary>The prefix length if [start,end] is exactly one CIDR block, else -1.</summary>
    public static int PrefixLength(IPAddress start, IPAddress end)
    {
        var s = new BigInteger(start.GetAddressBytes(), isUnsigned: true, isBigEndian: true);
        var e = new BigInteger(end.GetAddressBytes(), isUnsigned: true, isBigEndian: true);
        int bits = start.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var size = e - s + 1;
        if (size <= 0 || !size.IsPowerOfTwo || (s % size) != 0) return -1;
        return bits - (int)(size.GetBitLength() - 1);
    }

    public static string Format(TrafficSelector ts)
    {
        int prefix = PrefixLength(ts.Start, ts.End);
        string range = prefix >= 0 ? $"{ts.Start}/{prefix}" : $"{ts.Start}-{ts.End}";
        if (ts.Protocol == 0 && ts.StartPort == 0 && ts.EndPort == 65535)
            return range;
        string proto = ts.Protocol switch { 0 => "", 1 => "icmp", 6 => "tcp", 17 => "udp", 58 => "ipv6-icmp", _ => ts.Protocol.ToString() };
        string ports = ts.StartPort == 0 && ts.EndPort == 65535 ? "" : ts.StartPort == ts.EndPort ? $"/{ts.StartPort}" : $"/{ts.StartPort}-{ts.EndPort}";
        return $"{range}[{proto}{ports}]";
    }
}

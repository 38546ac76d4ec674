using System.Net;
using System.Net.Sockets;

namespace Petrel.Ike.Pools;

/// <summary>
/// The addresses of one pool (swanctl.conf pools.NAME.addrs): a subnet "10.3.0.0/24", a range
/// "10.3.0.10-10.3.0.50" or one address, IPv4 or IPv6. As strongSwan's mem-pool does, a subnet leaves
/// out its network address (when the base is the network address) and its last address, and a pool holds
/// at most 2^31 - 1 addresses (a larger subnet is cut to that size).
/// </summary>
public sealed record AddressRange(IPAddress First, int Count, string Text)
{
    /// <summary>strongSwan's POOL_LIMIT: offsets fit an int.</summary>
    public const int MaxCount = int.MaxValue;

    public AddressFamily Family => First.AddressFamily;

    public IPAddress Last => AddressAt(Count - 1);

    /// <summary>The address <paramref name="offset"/> places after <see cref="First"/> (0 ≤ offset &lt; Count).</summary>
    public IPAddress AddressAt(int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(offset, Count);
        return FromNumber(ToNumber(First) + (UInt128)(uint)offset, Family);
    }

    /// <summary>The offset of <paramref name="address"/> in the range, or -1 when it is not in it.</summary>
    public int OffsetOf(IPAddress address)
    {
        if (address.AddressFamily != Family)
            return -1;
        UInt128 a = ToNumber(address), first = ToNumber(First);
        if (a < first || a - first >= (UInt128)(uint)Count)
            return -1;
        return (int)(uint)(a - first);
    }

    public bool Contains(IPAddress address) => OffsetOf(address) >= 0;

    public bool Overlaps(AddressRange other) =>
        Family == other.Family && ToNumber(First) <= ToNumber(other.Last) && ToNumber(other.First) <= ToNumber(Last);

    public override string ToString() => Text;

    public static bool TryParse(string text, out AddressRange? range, out string error)
    {
        range = null;
        string t = text.Trim();
        int dash = t.IndexOf('-');
        if (dash > 0)
        {
            if (!IPAddress.TryParse(t[..dash].Trim(), out var from) || !IPAddress.TryParse(t[(dash + 1)..].Trim(), out var to))
            {
                error = $"'{text}' is not an address range (e.g. 10.3.0.10-10.3.0.50)";
                return false;
            }
            if (from.AddressFamily != to.AddressFamily)
            {
                error = $"'{text}' mixes IPv4 and IPv6";
                return false;
            }
            UInt128 a = ToNumber(from), b = ToNumber(to);
            if (b < a)
            {
                error = $"'{text}' ends before it starts";
                return false;
            }
            if (b - a >= MaxCount)
            {
                error = $"'{text}' holds more than {MaxCount} addresses";
                return false;
            }
            range = new AddressRange(from, (int)(uint)(b - a) + 1, t);
            error = "";
            return true;
        }

        int slash = t.IndexOf('/');
        string addressText = slash >= 0 ? t[..slash] : t;
        if (!IPAddress.TryParse(addressText, out var baseAddress) || addressText.Contains('%'))
        {
            error = $"'{text}' is not a subnet, range or address (e.g. 10.3.0.0/24, 10.3.0.10-10.3.0.50, fd00::/120)";
            return false;
        }
        int bits = baseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = bits;
        if (slash >= 0 && (!int.TryParse(t[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix) || prefix > bits))
        {
            error = $"'{text}': the prefix length must be 0 to {bits}";
            return false;
        }
        int hostBits = Math.Min(bits - prefix, 31);
        UInt128 size = (UInt128)1 << hostBits;
        UInt128 first = ToNumber(baseAddress);
        if (size > 2)
        {
            // mem-pool: a base that is the network address is skipped; a base inside the subnet starts there.
            UInt128 intoSubnet = first & (size - 1);
            if (intoSubnet == 0) { first++; size--; }
            else size -= intoSubnet;
            size--; // the subnet's last (broadcast) address
        }
        range = new AddressRange(FromNumber(first, baseAddress.AddressFamily), (int)Math.Min((ulong)size, MaxCount), t);
        error = "";
        return true;
    }

    internal static UInt128 ToNumber(IPAddress address)
    {
        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out int n);
        UInt128 v = 0;
        for (int i = 0; i < n; i++)
            v = (v << 8) | b[i];
        return v;
    }

    internal static IPAddress FromNumber(UInt128 value, AddressFamily family)
    {
        int n = family == AddressFamily.InterNetwork ? 4 : 16;
        Span<byte> b = stackalloc byte[n];
        for (int i = n - 1; i >= 0; i--)
        {
            b[i] = (byte)(value & 0xff);
            value >>= 8;
        }
        return new IPAddress(b);
    }
}

using System.Net;

namespace Petrel.DataPlane.Policy;

/// <summary>
/// A traffic selector (RFC 7296 §3.13.1): an inclusive address range of one family, an IP
/// protocol (0 = any) and an inclusive port range.
/// </summary>
public sealed record TrafficSelector(IPAddress Start, IPAddress End, byte Protocol = 0, ushort StartPort = 0, ushort EndPort = 65535)
{
    public System.Net.Sockets.AddressFamily Family => Start.AddressFamily;

    /// <summary>Parses "10.1.0.0/24", "10.1.0.5", "2001:db8::/64", optionally with "[proto/port]" as strongSwan writes it ("10.1.0.0/24[tcp/80]").</summary>
    public static TrafficSelector Parse(string text) => TrafficSelectorParser.Parse(text);

    public override string ToString() => TrafficSelectorParser.Format(this);
}

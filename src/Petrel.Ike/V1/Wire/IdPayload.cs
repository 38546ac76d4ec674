using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Petrel.DataPlane.Policy;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V1.Wire;

/// <summary>IPsec DOI identification types (RFC 2407 §4.6.2.1); 1, 2, 3, 5, 9, 10, 11 are IKEv2's numbers too.</summary>
public enum V1IdType : byte
{
    Ipv4Address = 1,
    Fqdn = 2,
    UserFqdn = 3,
    Ipv4Subnet = 4,
    Ipv6Address = 5,
    Ipv6Subnet = 6,
    Ipv4Range = 7,
    Ipv6Range = 8,
    DerAsn1Dn = 9,
    DerAsn1Gn = 10,
    KeyId = 11,
}

/// <summary>
/// The ID payload body (RFC 2407 §4.6.2): type, protocol, port, data. Phase 1 carries an identity (protocol and
/// port 0 or 17/500, as strongSwan sends); Quick Mode carries the traffic selectors as address, subnet or range.
/// </summary>
public sealed record IdPayload(V1IdType Type, byte Protocol, ushort Port, byte[] Data)
{
    public byte[] Encode()
    {
        var body = new byte[4 + Data.Length];
        body[0] = (byte)Type;
        body[1] = Protocol;
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(2), Port);
        Data.CopyTo(body, 4);
        return body;
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, out IdPayload? id)
    {
        id = null;
        if (body.Length < 4) return false;
        id = new IdPayload((V1IdType)body[0], body[1], BinaryPrimitives.ReadUInt16BigEndian(body[2..]), body[4..].ToArray());
        return true;
    }

    /// <summary>A Phase 1 identity (strongSwan sends protocol and port 0).</summary>
    public static IdPayload FromIdentity(Identity identity) => new((V1IdType)identity.Type, 0, 0, identity.Data.ToArray());

    /// <summary>The Phase 1 identity it names, or null for a selector type.</summary>
    public Identity? ToIdentity() => Type switch
    {
        V1IdType.Ipv4Address or V1IdType.Fqdn or V1IdType.UserFqdn or V1IdType.Ipv6Address or V1IdType.DerAsn1Dn
            or V1IdType.DerAsn1Gn or V1IdType.KeyId => new Identity((IdType)Type, Data),
        _ => null,
    };

    /// <summary>
    /// A traffic selector as an ID payload: a single address as ADDR, a CIDR block as SUBNET, anything else as RANGE
    /// (a port range other than one port or all cannot be expressed: the caller must not send one).
    /// </summary>
    public static IdPayload FromSelector(TrafficSelector ts)
    {
        bool v6 = ts.Family == AddressFamily.InterNetworkV6;
        ushort port = ts.StartPort == ts.EndPort ? ts.StartPort : (ushort)0;
        var start = ts.Start.GetAddressBytes();
        var end = ts.End.GetAddressBytes();
        if (start.AsSpan().SequenceEqual(end))
            return new IdPayload(v6 ? V1IdType.Ipv6Address : V1IdType.Ipv4Address, ts.Protocol, port, start);
        if (PrefixLength(start, end) is { } prefix)
        {
            var mask = new byte[start.Length];
            for (int i = 0; i < prefix; i++) mask[i / 8] |= (byte)(0x80 >> (i % 8));
            return new IdPayload(v6 ? V1IdType.Ipv6Subnet : V1IdType.Ipv4Subnet, ts.Protocol, port, [.. start, .. mask]);
        }
        return new IdPayload(v6 ? V1IdType.Ipv6Range : V1IdType.Ipv4Range, ts.Protocol, port, [.. start, .. end]);
    }

    /// <summary>The selector an ID payload names, or null for an identity type or a malformed one.</summary>
    public TrafficSelector? ToSelector()
    {
        int size = Type switch
        {
            V1IdType.Ipv4Address or V1IdType.Ipv4Subnet or V1IdType.Ipv4Range => 4,
            V1IdType.Ipv6Address or V1IdType.Ipv6Subnet or V1IdType.Ipv6Range => 16,
            _ => 0,
        };
        if (size == 0) return null;
        bool single = Type is V1IdType.Ipv4Address or V1IdType.Ipv6Address;
        if (Data.Length != (single ? size : 2 * size)) return null;
        var a = Data.AsSpan(0, size).ToArray();
        byte[] b;
        if (single) b = a;
        else if (Type is V1IdType.Ipv4Range or V1IdType.Ipv6Range) b = Data.AsSpan(size, size).ToArray();
        else
        {
            var mask = Data.AsSpan(size, size);
            b = new byte[size];
            for (int i = 0; i < size; i++)
            {
                a[i] &= mask[i];
                b[i] = (byte)(a[i] | ~mask[i]);
            }
        }
        ushort lo = Port, hi = Port == 0 ? (ushort)65535 : Port;
        return new TrafficSelector(new IPAddress(a), new IPAddress(b), Protocol, lo, hi);
    }

    private static int? PrefixLength(byte[] start, byte[] end)
    {
        int bits = start.Length * 8;
        for (int prefix = 0; prefix <= bits; prefix++)
        {
            bool ok = true;
            for (int i = 0; i < bits && ok; i++)
            {
                int s = (start[i / 8] >> (7 - i % 8)) & 1, e = (end[i / 8] >> (7 - i % 8)) & 1;
                ok = i < prefix ? s == e : s == 0 && e == 1;
            }
            if (ok) return prefix;
        }
        return null;
    }
}

using System.Net;
using System.Net.Sockets;
using Petrel.DataPlane.Policy;

namespace Petrel.Ike.Wire;

//  RFC 7296 §3.13 Traffic Selector Payload (TSi = 44, TSr = 45)
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Payload  |C|  RESERVED   |         Payload Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Number of TSs |                 RESERVED                      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                       <Traffic Selectors>                     ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//  §3.13.1 Traffic Selector
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |   TS Type     |IP Protocol ID*|       Selector Length         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |           Start Port*         |           End Port*           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                         Starting Address*                     ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                         Ending Address*                       ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// <summary>
/// TSi / TSr (RFC 7296 §3.13) as <see cref="TrafficSelector"/>s. Selectors of types other than
/// TS_IPV4_ADDR_RANGE (7) and TS_IPV6_ADDR_RANGE (8) are skipped and counted in <see cref="SkippedSelectors"/>.
/// </summary>
public sealed class TrafficSelectorPayload : IkePayload
{
    public const byte Ipv4AddressRange = 7, Ipv6AddressRange = 8;

    private readonly PayloadType _type;

    public TrafficSelectorPayload(bool initiator, IReadOnlyList<TrafficSelector> selectors)
    {
        _type = initiator ? PayloadType.TrafficSelectorInitiator : PayloadType.TrafficSelectorResponder;
        Selectors = selectors;
    }

    public override PayloadType Type => _type;
    public bool IsInitiator => _type == PayloadType.TrafficSelectorInitiator;
    public IReadOnlyList<TrafficSelector> Selectors { get; }
    public int SkippedSelectors { get; private init; }

    private static int SelectorLength(TrafficSelector ts) => ts.Family == AddressFamily.InterNetwork ? 16 : 40;

    public override int BodyLength
    {
        get
        {
            int length = 4;
            foreach (var ts in Selectors) length += SelectorLength(ts);
            return length;
        }
    }

    public override void WriteBody(Span<byte> destination)
    {
        var w = new IkeWriter(destination);
        w.WriteUInt8((byte)Selectors.Count);
        w.WriteZeros(3);
        foreach (var ts in Selectors)
        {
            bool v4 = ts.Family == AddressFamily.InterNetwork;
            w.WriteUInt8(v4 ? Ipv4AddressRange : Ipv6AddressRange);
            w.WriteUInt8(ts.Protocol);
            w.WriteUInt16((ushort)SelectorLength(ts));
            w.WriteUInt16(ts.StartPort);
            w.WriteUInt16(ts.EndPort);
            ts.Start.TryWriteBytes(w.Reserve(v4 ? 4 : 16), out _);
            ts.End.TryWriteBytes(w.Reserve(v4 ? 4 : 16), out _);
        }
    }

    public static bool TryDecode(PayloadType type, ReadOnlySpan<byte> body, out TrafficSelectorPayload? payload, out string error)
    {
        payload = null;
        var r = new IkeReader(body);
        if (!r.TryReadUInt8(out byte count) || !r.TrySkip(3)) { error = $"{type} payload body of {body.Length} bytes is too short"; return false; }
        var selectors = new List<TrafficSelector>(count);
        int skipped = 0;
        for (int i = 0; i < count; i++)
        {
            if (!r.TryReadUInt8(out byte tsType) || !r.TryReadUInt8(out byte protocol) || !r.TryReadUInt16(out ushort length))
            {
                error = $"{type}: selector {i + 1} of {count} truncated"; return false;
            }
            if (length < 4 || !r.TryReadBytes(length - 4, out var sbody)) { error = $"{type}: selector length {length} is invalid"; return false; }
            int addressLength = tsType switch { Ipv4AddressRange => 4, Ipv6AddressRange => 16, _ => 0 };
            if (addressLength == 0) { skipped++; continue; }
            if (sbody.Length != 4 + 2 * addressLength) { error = $"{type}: selector length {length} is wrong for TS type {tsType}"; return false; }
            ushort startPort = (ushort)((sbody[0] << 8) | sbody[1]);
            ushort endPort = (ushort)((sbody[2] << 8) | sbody[3]);
            var start = new IPAddress(sbody.Slice(4, addressLength));
            var end = new IPAddress(sbody.Slice(4 + addressLength, addressLength));
            selectors.Add(new TrafficSelector(start, end, protocol, startPort, endPort));
        }
        if (!r.End) { error = $"{type}: {r.Remaining} bytes after {count} selectors"; return false; }
        payload = new TrafficSelectorPayload(type == PayloadType.TrafficSelectorInitiator, selectors) { SkippedSelectors = skipped };
        error = "";
        return true;
    }
}

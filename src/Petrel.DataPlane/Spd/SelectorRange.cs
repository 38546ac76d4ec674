using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Petrel.DataPlane.Packets;
using Petrel.DataPlane.Policy;

namespace Petrel.DataPlane.Spd;

/// <summary>A traffic selector prepared for matching: addresses as 128-bit numbers.</summary>
internal readonly struct SelectorRange
{
    public SelectorRange(TrafficSelector ts)
    {
        Family = ts.Family;
        Start = ToNumber(ts.Start);
        End = ToNumber(ts.End);
        Protocol = ts.Protocol;
        StartPort = ts.StartPort;
        EndPort = ts.EndPort;
    }

    public AddressFamily Family { get; }
    public UInt128 Start { get; }
    public UInt128 End { get; }
    public byte Protocol { get; }
    public ushort StartPort { get; }
    public ushort EndPort { get; }

    private bool AnyPort => StartPort == 0 && EndPort == 65535;

    /// <summary>Does the packet's source (asSource) or destination side fall in this selector?</summary>
    public bool Matches(in PacketFlow flow, bool asSource)
    {
        if (flow.Family != Family)
            return false;
        UInt128 address = asSource ? flow.Source : flow.Destination;
        if (address < Start || address > End)
            return false;
        if (Protocol != 0 && Protocol != flow.Protocol)
            return false;
        if (AnyPort)
            return true;
        // RFC 4301 §4.4.1.1: OPAQUE ports (non-first fragments, unknown protocols) match only ANY.
        if (!flow.PortsKnown)
            return false;
        ushort port = asSource ? flow.SourcePort : flow.DestinationPort;
        return port >= StartPort && port <= EndPort;
    }

    public static UInt128 ToNumber(IPAddress address)
    {
        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out int n);
        return n == 4 ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt128BigEndian(b);
    }
}

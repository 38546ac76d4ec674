using System.Net.Sockets;

namespace Petrel.DataPlane.Packets;

/// <summary>
/// The selector fields of one IP packet (RFC 4301 §4.4.1.1): addresses as 128-bit numbers
/// (IPv4 in the low 32 bits), the upper-layer protocol and ports. For ICMP the "ports" are
/// type and code as RFC 4301 §4.4.1.3 maps them; for fragments after the first they are opaque.
/// </summary>
public readonly record struct PacketFlow(
    AddressFamily Family,
    UInt128 Source,
    UInt128 Destination,
    byte Protocol,
    ushort SourcePort,
    ushort DestinationPort,
    bool PortsKnown);

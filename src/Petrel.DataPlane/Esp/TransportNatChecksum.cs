using System.Buffers.Binary;
using System.Net;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Offload;

namespace Petrel.DataPlane.Esp;

/// <summary>
/// The checksum fix-up of ESP transport mode across a NAT (RFC 3948 §3.1.2; RFC 7296 §2.23.1
/// replaces IKEv1's NAT-OA with the traffic selectors). The peer's host computed its TCP, UDP
/// and ICMPv6 checksums over a pseudo-header with the addresses it knew (its own original
/// address and ours as it saw it); the packet we hand to our host carries the outer addresses
/// the SA saw after the NAT, so the checksum no longer verifies. Per inbound SA:
/// <list type="bullet">
/// <item>both original addresses known from IKE (what the responder always learns from TSi/TSr):
/// incremental update (RFC 3948 §3.1.2 method 1, RFC 1624 eqn. 3) with a difference computed
/// once here, so a packet costs O(1) and a checksum broken on the way still fails at the host;</item>
/// <item>an original address unknown (the peer did not report how it sees us): the checksum is
/// recomputed over the delivered addresses (method 2; ESP's ICV already vouches for the bytes);</item>
/// <item>the originals equal the delivered addresses, or the SA is not transport mode in UDP:
/// nothing to do.</item>
/// </list>
/// UDP over IPv4 with checksum 0 ("none", RFC 768) stays 0. Pure span code, no allocation.
/// </summary>
public sealed class TransportNatChecksum
{
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte IcmpV6 = 58;

    /// <summary>What an SA needs done to its transport payloads.</summary>
    public enum Method : byte
    {
        None,
        Incremental,
        Recompute,
    }

    private readonly ushort _difference;

    private TransportNatChecksum(Method method, ushort difference)
    {
        How = method;
        _difference = difference;
    }

    public Method How { get; }

    /// <summary>Nothing to fix (tunnel mode, no UDP encapsulation, or no address changed on the way).</summary>
    public static readonly TransportNatChecksum Nothing = new(Method.None, 0);

    /// <summary>
    /// The fix-up for an inbound SA: delivered addresses are its outer source/destination (what
    /// the transport-mode header is rebuilt from); the originals are <see cref="SaSpec.OriginalSource"/>
    /// and <see cref="SaSpec.OriginalDestination"/>.
    /// </summary>
    public static TransportNatChecksum For(SaSpec spec)
    {
        if (spec.Mode != IpsecMode.Transport || !spec.UdpEncapsulation || spec.Direction != SaDirection.Inbound)
            return Nothing;
        return For(spec.OriginalSource, spec.OriginalDestination, spec.Source.Address, spec.Destination.Address);
    }

    /// <summary>The fix-up from checksums over (originalSource, originalDestination) to (source, destination); null originals are unknown.</summary>
    public static TransportNatChecksum For(IPAddress? originalSource, IPAddress? originalDestination, IPAddress source, IPAddress destination)
    {
        if (originalSource is null || originalDestination is null
            || originalSource.AddressFamily != source.AddressFamily || originalDestination.AddressFamily != destination.AddressFamily)
        {
            return new TransportNatChecksum(Method.Recompute, 0);
        }
        if (originalSource.Equals(source) && originalDestination.Equals(destination))
            return Nothing;
        // RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), with m the sum of the original address words
        // and m' the sum of the delivered ones; ~m + m' is the same for every packet.
        ushort m = InternetChecksum.Fold(AddressSum(originalSource) + AddressSum(originalDestination));
        ushort mNew = InternetChecksum.Fold(AddressSum(source) + AddressSum(destination));
        return new TransportNatChecksum(Method.Incremental, InternetChecksum.Fold((ulong)(ushort)~m + mNew));
    }

    private static ulong AddressSum(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        return InternetChecksum.Add(0, bytes[..written]);
    }

    /// <summary>
    /// Fixes the checksum of the upper-layer payload of packet (a whole IPv4 header without
    /// options or an IPv6 header, as transport mode rebuilds it, then the payload). False when
    /// the payload is too short to hold its checksum field.
    /// </summary>
    public bool Apply(Span<byte> packet)
    {
        if (How == Method.None)
            return true;
        int header = packet[0] >> 4 == 6 ? EspTransportMode.Ipv6HeaderLength : (packet[0] & 0x0F) * 4;
        byte protocol = packet[0] >> 4 == 6 ? packet[6] : packet[9];
        int at = ChecksumOffset(protocol);
        if (at < 0)
            return true;                   // ICMPv4 and others: no pseudo-header, nothing to fix
        var payload = packet[header..];
        if (payload.Length < at + 2)
            return false;
        if (How == Method.Incremental)
        {
            Adjust(payload, protocol, packet[0] >> 4 == 4, _difference);
            return true;
        }
        Recompute(packet);
        return true;
    }

    /// <summary>Where protocol keeps its checksum in its header; -1 for protocols without a pseudo-header.</summary>
    public static int ChecksumOffset(byte protocol) => protocol switch
    {
        Tcp => 16,
        Udp => 6,
        IcmpV6 => 2,
        _ => -1,
    };

    /// <summary>Adds a precomputed one's-complement difference to the payload's checksum (RFC 1624 eqn. 3).</summary>
    private static void Adjust(Span<byte> payload, byte protocol, bool ipv4, ushort difference)
    {
        var field = payload[ChecksumOffset(protocol)..];
        ushort old = BinaryPrimitives.ReadUInt16BigEndian(field);
        if (protocol == Udp && ipv4 && old == 0)
            return;                        // RFC 768: the sender computed none
        ushort updated = InternetChecksum.Finish((ulong)(ushort)~old + difference);
        if (protocol == Udp && updated == 0)
            updated = 0xFFFF;              // RFC 768: a computed 0 is sent as all ones
        BinaryPrimitives.WriteUInt16BigEndian(field, updated);
    }

    /// <summary>
    /// Recomputes the TCP/UDP/ICMPv6 checksum of the whole IP packet over its own header's
    /// addresses (RFC 3948 §3.1.2 method 2). UDP over IPv4 with checksum 0 stays 0.
    /// </summary>
    public static void Recompute(Span<byte> packet)
    {
        bool ipv4 = packet[0] >> 4 == 4;
        int header = ipv4 ? (packet[0] & 0x0F) * 4 : EspTransportMode.Ipv6HeaderLength;
        byte protocol = ipv4 ? packet[9] : packet[6];
        int at = ChecksumOffset(protocol);
        var payload = packet[header..];
        if (at < 0 || payload.Length < at + 2)
            return;
        var field = payload[at..];
        if (protocol == Udp && ipv4 && BinaryPrimitives.ReadUInt16BigEndian(field) == 0)
            return;
        field[0] = 0;
        field[1] = 0;
        ulong sum = InternetChecksum.PseudoHeader(packet, protocol, payload.Length);
        ushort value = InternetChecksum.Finish(InternetChecksum.Add(sum, payload));
        if (protocol == Udp && value == 0)
            value = 0xFFFF;
        BinaryPrimitives.WriteUInt16BigEndian(field, value);
    }
}

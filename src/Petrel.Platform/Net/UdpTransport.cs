using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Pipeline;

namespace Petrel.Platform.Net;

/// <summary>
/// The daemon's outer sockets: IKE on UDP port 500 and, on the NAT-T port 4500, IKE behind the
/// non-ESP marker plus ESP-in-UDP (RFC 3948). By default one socket per family and port bound to
/// any; pass addresses to bind specific ones instead. Optionally raw IP protocol 50 sockets for
/// SAs without UDP encapsulation and raw protocol 51 sockets for AH (which has no UDP
/// encapsulation, RFC 3948 covers ESP only). With a mark every socket carries SO_MARK, so policy
/// routing can keep the daemon's own packets out of the TUN device (transport mode).
/// Implements the data plane's outer transport.
/// </summary>
public sealed class UdpTransport : IOuterTransport, IDisposable
{
    private readonly List<UdpEndpoint> _endpoints = [];
    private readonly List<RawIpSocket> _raw = [];
    private readonly List<RawIpSocket> _rawAh = [];

    /// <param name="ikePort">Usually 500; 0 to skip it (e.g. a NAT-T-only test).</param>
    /// <param name="natTPort">Usually 4500.</param>
    /// <param name="addresses">Local addresses to bind; null for IPv4 and IPv6 any.</param>
    /// <param name="rawEsp">Also open raw protocol 50 sockets (needs CAP_NET_RAW) for plain ESP.</param>
    /// <param name="rawAh">Also open raw protocol 51 sockets (needs CAP_NET_RAW) for AH.</param>
    /// <param name="mark">SO_MARK for every socket (0: none; needs CAP_NET_ADMIN).</param>
    public UdpTransport(int ikePort = 500, int natTPort = 4500, IEnumerable<IPAddress>? addresses = null, bool rawEsp = false,
        bool rawAh = false, uint mark = 0)
    {
        Mark = mark;
        IkePort = ikePort;
        NatTPort = natTPort;
        var binds = addresses?.ToList() ?? [IPAddress.Any, IPAddress.IPv6Any];
        try
        {
            foreach (var address in binds)
            {
                if (address.AddressFamily == AddressFamily.InterNetworkV6 && !Socket.OSSupportsIPv6)
                    continue;
                if (ikePort != 0)
                    _endpoints.Add(new UdpEndpoint(new IPEndPoint(address, ikePort), mark: mark));
                _endpoints.Add(new UdpEndpoint(new IPEndPoint(address, natTPort), mark: mark));
            }
            if (rawEsp)
            {
                _raw.Add(new RawIpSocket(AddressFamily.InterNetwork, RawIpSocket.EspProtocol, mark));
                if (Socket.OSSupportsIPv6)
                    _raw.Add(new RawIpSocket(AddressFamily.InterNetworkV6, RawIpSocket.EspProtocol, mark));
            }
            if (rawAh)
            {
                _rawAh.Add(new RawIpSocket(AddressFamily.InterNetwork, RawIpSocket.AhProtocol, mark));
                if (Socket.OSSupportsIPv6)
                    _rawAh.Add(new RawIpSocket(AddressFamily.InterNetworkV6, RawIpSocket.AhProtocol, mark));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int IkePort { get; }
    public int NatTPort { get; }
    public IReadOnlyList<UdpEndpoint> Endpoints => _endpoints;

    /// <summary>The SO_MARK the sockets carry (0: none).</summary>
    public uint Mark { get; }

    /// <summary>Raw protocol 50 sockets (empty unless opened with rawEsp).</summary>
    public IReadOnlyList<RawIpSocket> RawEspSockets => _raw;

    /// <summary>Raw protocol 51 sockets (empty unless opened with rawAh).</summary>
    public IReadOnlyList<RawIpSocket> RawAhSockets => _rawAh;

    /// <summary>Sends a whole AH packet (the data plane built the IP header) from the raw AH socket of its family.</summary>
    public bool SendIp(EspPeer peer, ReadOnlySpan<byte> ipPacket)
    {
        if (peer.TransportState is not EspRoute route)
        {
            route = new EspRoute(null, null, RawIpSocket.Destination(peer.Remote.Address));
            foreach (var r in _rawAh)
            {
                if (r.Family == peer.Remote.AddressFamily)
                    route = route with { Raw = r };
            }
            if (route.Raw is null)
                return false;
            peer.TransportState = route;
        }
        return route.Raw is not null && route.Raw.Send(ipPacket, route.Destination);
    }

    /// <summary>
    /// Sends ESP-in-UDP from the NAT-T socket for the SA's local address, or plain ESP from the
    /// raw socket of its family when the SA is not UDP-encapsulated.
    /// </summary>
    public bool SendEsp(EspPeer peer, ReadOnlySpan<byte> espPacket)
    {
        if (peer.TransportState is not EspRoute route)
        {
            // Built once per SA: sending then needs no allocation.
            route = peer.UdpEncapsulation ? UdpRoute(peer) : RawRoute(peer);
            if (route.Udp is null && route.Raw is null)
                return false;
            peer.TransportState = route;
        }
        if (route.Udp is not null)
            return route.Udp.Send(espPacket, route.Destination);
        return route.Raw!.Send(espPacket, route.Destination);
    }

    /// <summary>
    /// Sends ESP-in-UDP packets packed back to back (each segmentSize bytes, the last may be
    /// shorter) to the SA's peer with one UDP GSO send. False if the SA is not UDP-encapsulated
    /// or the kernel refused; the caller then sends them one by one.
    /// </summary>
    public bool SendEspSegments(EspPeer peer, ReadOnlySpan<byte> packed, int segmentSize)
    {
        if (!peer.UdpEncapsulation)
            return false;
        if (peer.TransportState is not EspRoute route)
        {
            route = UdpRoute(peer);
            if (route.Udp is null)
                return false;
            peer.TransportState = route;
        }
        return route.Udp is not null && route.Udp.SendSegments(packed, segmentSize, route.Destination);
    }

    /// <summary>
    /// Sends groups of ESP-in-UDP packets packed in buffer (<see cref="UdpSendGroup"/>: each one
    /// datagram or a UDP GSO run) to the SA's peer with one sendmmsg. Returns how many groups were
    /// sent (0 if the SA is not UDP-encapsulated or has no socket).
    /// </summary>
    public int SendEspGroups(EspPeer peer, byte[] buffer, ReadOnlySpan<UdpSendGroup> groups)
    {
        if (!peer.UdpEncapsulation)
            return 0;
        if (peer.TransportState is not EspRoute route)
        {
            route = UdpRoute(peer);
            if (route.Udp is null)
                return 0;
            peer.TransportState = route;
        }
        if (route.Udp is null)
            return 0;
        int sent = 0;
        for (int first = 0; first < groups.Length; first += UdpEndpoint.MaxSendGroups)
            sent += route.Udp.SendGroups(buffer, groups[first..Math.Min(groups.Length, first + UdpEndpoint.MaxSendGroups)], route.Destination);
        return sent;
    }

    /// <summary>
    /// Sends plain ESP packets (the SA is not UDP-encapsulated) packed back to back, lengths[i]
    /// bytes each, to the SA's peer from the raw socket of its family with sendmmsg. Returns how many were sent.
    /// </summary>
    public int SendRawEspBatch(EspPeer peer, ReadOnlySpan<byte> packed, ReadOnlySpan<int> lengths)
    {
        if (peer.UdpEncapsulation)
            return 0;
        if (peer.TransportState is not EspRoute route)
        {
            route = RawRoute(peer);
            if (route.Raw is null)
                return 0;
            peer.TransportState = route;
        }
        return route.Raw is null ? 0 : route.Raw.SendBatch(packed, lengths, route.Destination);
    }

    private EspRoute UdpRoute(EspPeer peer) =>
        new(Find(peer.Local.Address, NatTPort), null, peer.Remote.Serialize());

    private EspRoute RawRoute(EspPeer peer)
    {
        foreach (var r in _raw)
        {
            if (r.Family == peer.Remote.AddressFamily)
                return new EspRoute(null, r, RawIpSocket.Destination(peer.Remote.Address));
        }
        return new EspRoute(null, null, peer.Remote.Serialize());
    }

    /// <summary>
    /// Sends an IKE message from local to remote. From the NAT-T port the four-byte non-ESP marker
    /// is prepended (RFC 3948 §2.2). Not a hot path.
    /// </summary>
    public bool SendIke(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> message)
    {
        var endpoint = Find(local.Address, local.Port);
        if (endpoint is null)
            return false;
        var destination = remote.Serialize();
        if (local.Port != NatTPort)
            return endpoint.Send(message, destination);
        byte[] rented = ArrayPool<byte>.Shared.Rent(message.Length + UdpEncapsulation.NonEspMarkerLength);
        try
        {
            var datagram = rented.AsSpan(0, message.Length + UdpEncapsulation.NonEspMarkerLength);
            datagram[..UdpEncapsulation.NonEspMarkerLength].Clear();
            message.CopyTo(datagram[UdpEncapsulation.NonEspMarkerLength..]);
            return endpoint.Send(datagram, destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Sends a NAT-keepalive (the single byte 0xFF, RFC 3948 §2.3) from our NAT-T port, so a NAT
    /// in front of us keeps the mapping. IKE decides when (strongSwan: every 20 s without traffic).
    /// </summary>
    public bool SendNatKeepalive(IPEndPoint local, IPEndPoint remote)
    {
        var endpoint = Find(local.Address, NatTPort);
        ReadOnlySpan<byte> keepalive = [0xFF];
        return endpoint is not null && endpoint.Send(keepalive, remote.Serialize());
    }

    /// <summary>The socket bound to exactly this address and port, else the one bound to any of its family.</summary>
    private UdpEndpoint? Find(IPAddress local, int port)
    {
        UdpEndpoint? any = null;
        foreach (var e in _endpoints)
        {
            if (e.Port != port || e.AddressFamily != local.AddressFamily)
                continue;
            if (e.LocalEndPoint.Address.Equals(local))
                return e;
            if (e.LocalEndPoint.Address.Equals(IPAddress.Any) || e.LocalEndPoint.Address.Equals(IPAddress.IPv6Any))
                any = e;
        }
        return any;
    }

    public void Dispose()
    {
        foreach (var e in _endpoints)
            e.Dispose();
        foreach (var r in _raw)
            r.Dispose();
        foreach (var r in _rawAh)
            r.Dispose();
    }

    private sealed record EspRoute(UdpEndpoint? Udp, RawIpSocket? Raw, SocketAddress Destination);
}

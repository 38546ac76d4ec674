using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Pipeline;

namespace Petrel.Platform.Net;

/// <summary>
/// The daemon's UDP sockets: IKE on port 500 and, on the NAT-T port 4500, IKE behind the non-ESP
/// marker plus ESP-in-UDP (RFC 3948). By default one socket per family and port bound to any;
/// pass addresses to bind specific ones instead. Implements the data plane's outer transport.
/// </summary>
public sealed class UdpTransport : IOuterTransport, IDisposable
{
    private readonly List<UdpEndpoint> _endpoints = [];

    /// <param name="ikePort">Usually 500; 0 to skip it (e.g. a NAT-T-only test).</param>
    /// <param name="natTPort">Usually 4500.</param>
    /// <param name="addresses">Local addresses to bind; null for IPv4 and IPv6 any.</param>
    public UdpTransport(int ikePort = 500, int natTPort = 4500, IEnumerable<IPAddress>? addresses = null)
    {
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
                    _endpoints.Add(new UdpEndpoint(new IPEndPoint(address, ikePort)));
                _endpoints.Add(new UdpEndpoint(new IPEndPoint(address, natTPort)));
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

    /// <summary>Sends ESP-in-UDP from the NAT-T socket for the SA's local address. Raw ESP (protocol 50) is not implemented yet.</summary>
    public bool SendEsp(EspPeer peer, ReadOnlySpan<byte> espPacket)
    {
        if (peer.TransportState is not EspRoute route)
        {
            if (!peer.UdpEncapsulation)
                return false;
            var endpoint = Find(peer.Local.Address, NatTPort);
            if (endpoint is null)
                return false;
            // Built once per SA: sending then needs no allocation.
            route = new EspRoute(endpoint, peer.Remote.Serialize());
            peer.TransportState = route;
        }
        return route.Endpoint.Send(espPacket, route.Destination);
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
    }

    private sealed record EspRoute(UdpEndpoint Endpoint, SocketAddress Destination);
}

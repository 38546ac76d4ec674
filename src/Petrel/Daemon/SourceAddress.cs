using System.Net;
using System.Net.Sockets;

namespace Petrel.Daemon;

/// <summary>
/// The local address the routing table would use towards a peer, for connections whose
/// local_addrs is %any: a connected UDP socket learns it without sending anything.
/// </summary>
public static class SourceAddress
{
    public static IPAddress? Towards(IPAddress remote)
    {
        try
        {
            using var probe = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(new IPEndPoint(remote, 9));
            return (probe.LocalEndPoint as IPEndPoint)?.Address;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}

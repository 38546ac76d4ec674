using System.Net;
using Microsoft.Extensions.Logging;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Platform.Net;

namespace Petrel.Daemon;

/// <summary>The engine's <see cref="IIkeTransport"/> over the platform's UDP sockets (which add the non-ESP marker on 4500).</summary>
public sealed class SocketIkeTransport(UdpTransport udp, ILogger log) : IIkeTransport
{
    public void Send(IPEndPoint local, IPEndPoint remote, ReadOnlyMemory<byte> message)
    {
        if (!udp.SendIke(local, remote, message.Span))
            log.LogWarning("could not send a {Length}-byte IKE message from {Local} to {Remote}", message.Length, local, remote);
    }
}

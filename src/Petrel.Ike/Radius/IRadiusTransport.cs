using System.Net;

namespace Petrel.Ike.Radius;

/// <summary>
/// A datagram channel to one RADIUS server port (the daemon's is a connected UDP socket). The client owns
/// it: it sends requests, and one loop receives whatever the server answers.
/// </summary>
public interface IRadiusTransport : IDisposable
{
    ValueTask SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken);

    /// <summary>The next datagram from the server; throws <see cref="OperationCanceledException"/> when cancelled.</summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}

/// <summary>Opens a transport to <paramref name="server"/>.</summary>
public delegate IRadiusTransport RadiusTransportFactory(IPEndPoint server);

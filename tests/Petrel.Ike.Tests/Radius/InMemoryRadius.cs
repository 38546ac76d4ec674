using System.Net;
using System.Threading.Channels;
using Petrel.Ike.Radius;

namespace Petrel.Ike.Tests.Radius;

/// <summary>
/// RADIUS servers in the test process: each endpoint has a handler that turns a request into an answer
/// (or null: silence). Requests seen are recorded per endpoint.
/// </summary>
internal sealed class InMemoryRadius
{
    public delegate RadiusPacket? Handler(RadiusPacket request);

    private readonly Dictionary<IPEndPoint, (byte[] Secret, Handler Handler)> _servers = [];
    public List<(IPEndPoint Server, RadiusPacket Request)> Seen { get; } = [];

    public void Serve(IPEndPoint endpoint, byte[] secret, Handler handler) => _servers[endpoint] = (secret, handler);

    public RadiusTransportFactory Factory => endpoint => new Transport(this, endpoint);

    /// <summary>Signs an answer to <paramref name="request"/> as a server with <paramref name="secret"/> would.</summary>
    public static byte[] Sign(RadiusPacket answer, RadiusPacket request, byte[] secret)
    {
        answer.Authenticator = request.Authenticator;
        if (answer.Code != RadiusCode.AccountingResponse)
            answer.Add(new RadiusAttribute(RadiusAttributeType.MessageAuthenticator, new byte[16]));
        var bytes = answer.Encode();
        if (answer.Code != RadiusCode.AccountingResponse)
        {
            int at = bytes.Length - 16;
            System.Security.Cryptography.HMACMD5.HashData(secret, bytes).CopyTo(bytes, at);
        }
        System.Security.Cryptography.MD5.HashData([.. bytes, .. secret]).CopyTo(bytes, 4);
        return bytes;
    }

    private sealed class Transport(InMemoryRadius net, IPEndPoint endpoint) : IRadiusTransport
    {
        private readonly Channel<byte[]> _inbound = Channel.CreateUnbounded<byte[]>();

        public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
        {
            if (!RadiusPacket.TryDecode(datagram.Span, out var request, out _))
                return ValueTask.CompletedTask;
            lock (net.Seen) net.Seen.Add((endpoint, request!));
            if (net._servers.TryGetValue(endpoint, out var s) && s.Handler(request!) is { } answer)
                _inbound.Writer.TryWrite(Sign(answer, request!, s.Secret));
            return ValueTask.CompletedTask;
        }

        public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            var d = await _inbound.Reader.ReadAsync(cancellationToken);
            d.CopyTo(buffer);
            return d.Length;
        }

        public void Dispose() => _inbound.Writer.TryComplete();
    }
}

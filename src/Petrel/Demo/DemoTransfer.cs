using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Petrel.Demo;

/// <summary>
/// Sends N bytes over one TCP connection from site A's protected address to site B's, through
/// the tunnel, and checks that SHA-256 of what arrived equals SHA-256 of what was sent.
/// </summary>
internal static class DemoTransfer
{
    public sealed record Result(long Sent, long Received, bool Intact, TimeSpan Elapsed)
    {
        public double MegabitsPerSecond => Received * 8 / Math.Max(Elapsed.TotalSeconds, 1e-6) / 1e6;
    }

    public static async Task<Result> RunAsync(DemoSite from, DemoSite to, long bytes, CancellationToken cancellationToken)
    {
        const int port = 5001;
        var dst = IPAddress.Parse(to.Lan);
        using var listener = DemoNamespaceSocket.Create(to.Namespace, AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(dst, port));
        listener.Listen(1);
        using var client = DemoNamespaceSocket.Create(from.Namespace, AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Bind(new IPEndPoint(IPAddress.Parse(from.Lan), 0));

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(120));
        var token = limit.Token;

        var receive = Task.Run(async () =>
        {
            using var conn = await listener.AcceptAsync(token).ConfigureAwait(false);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = await conn.ReceiveAsync(buffer, SocketFlags.None, token).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                total += n;
            }
            return (total, hash.GetHashAndReset());
        }, token);

        var watch = Stopwatch.StartNew();
        using (var connectLimit = CancellationTokenSource.CreateLinkedTokenSource(token))
        {
            // A tunnel that passes no traffic shows here; do not wait for TCP's own minutes-long timeout.
            connectLimit.CancelAfter(TimeSpan.FromSeconds(15));
            await client.ConnectAsync(new IPEndPoint(dst, port), connectLimit.Token).ConfigureAwait(false);
        }
        using var sentHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[64 * 1024];
        long sent = 0;
        while (sent < bytes)
        {
            int len = (int)Math.Min(chunk.Length, bytes - sent);
            RandomNumberGenerator.Fill(chunk.AsSpan(0, len));
            sentHash.AppendData(chunk, 0, len);
            int off = 0;
            while (off < len)
                off += await client.SendAsync(chunk.AsMemory(off, len - off), SocketFlags.None, token).ConfigureAwait(false);
            sent += len;
        }
        client.Shutdown(SocketShutdown.Send);
        var (received, digest) = await receive.ConfigureAwait(false);
        watch.Stop();
        bool intact = received == sent && CryptographicOperations.FixedTimeEquals(digest, sentHash.GetHashAndReset());
        return new Result(sent, received, intact, watch.Elapsed);
    }
}

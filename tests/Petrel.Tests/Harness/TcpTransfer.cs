using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Petrel.Tests.Harness;

/// <summary>
/// Moves N bytes of pseudo-random data over one TCP connection from one site's protected address
/// to the other's, and compares SHA-256 of what was sent with what arrived.
/// </summary>
public static class TcpTransfer
{
    public sealed record Result(long BytesSent, long BytesReceived, bool ChecksumsMatch, string SentSha256, string ReceivedSha256, TimeSpan Elapsed)
    {
        public double Mbps => BytesReceived * 8 / Elapsed.TotalSeconds / 1e6;
        public override string ToString() =>
            $"{BytesReceived}/{BytesSent} bytes in {Elapsed.TotalSeconds:F2}s ({Mbps:F0} Mbit/s), sha256 {(ChecksumsMatch ? "match" : $"MISMATCH sent {SentSha256} received {ReceivedSha256}")}";
    }

    /// <param name="source">The sender's address when not its LAN address (a virtual IP).</param>
    public static Result Run(LabSite from, LabSite to, long bytes, bool ipv6 = false, int port = 45001, TimeSpan? timeout = null, IPAddress? source = null)
    {
        var family = ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var src = source ?? IPAddress.Parse(ipv6 ? from.LanV6 : from.LanV4);
        var dst = IPAddress.Parse(ipv6 ? to.LanV6 : to.LanV4);
        var limit = timeout ?? TimeSpan.FromSeconds(90);

        using var listener = NamespaceSocket.Create(to.Namespace, family, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(dst, port));
        listener.Listen(1);

        using var client = NamespaceSocket.Create(from.Namespace, family, SocketType.Stream, ProtocolType.Tcp);
        client.Bind(new IPEndPoint(src, 0));
        client.SendTimeout = (int)limit.TotalMilliseconds;

        var receiver = Task.Run(() => ReceiveAll(listener, (int)limit.TotalMilliseconds));

        var sw = Stopwatch.StartNew();
        var connect = client.ConnectAsync(new IPEndPoint(dst, port));
        if (!connect.Wait(TimeSpan.FromSeconds(15)))
        {
            listener.Close();
            throw new TimeoutException($"TCP connect {src} -> {dst}:{port} timed out (tunnel not passing traffic?)");
        }
        using var shaOut = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var rng = new Random(12345);
        var chunk = new byte[64 * 1024];
        long sent = 0;
        while (sent < bytes)
        {
            int len = (int)Math.Min(chunk.Length, bytes - sent);
            rng.NextBytes(chunk.AsSpan(0, len));
            shaOut.AppendData(chunk, 0, len);
            client.Send(chunk, 0, len, SocketFlags.None);
            sent += len;
        }
        client.Shutdown(SocketShutdown.Send);
        if (!receiver.Wait(limit))
        {
            listener.Close();
            throw new TimeoutException($"TCP transfer {src} -> {dst}:{port}: receiver did not finish within {limit}");
        }
        sw.Stop();
        var (received, rxHash) = receiver.Result;
        var txHash = Convert.ToHexStringLower(shaOut.GetHashAndReset());
        return new Result(sent, received, txHash == rxHash && sent == received, txHash, rxHash, sw.Elapsed);
    }

    /// <summary>Accepts one connection and reads it to the end: the byte count and the SHA-256 (hex) of what arrived.</summary>
    internal static (long Total, string Sha256) ReceiveAll(Socket listener, int receiveTimeoutMs)
    {
        using var conn = listener.Accept();
        conn.ReceiveTimeout = receiveTimeoutMs;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = conn.Receive(buf)) > 0)
        {
            sha.AppendData(buf, 0, n);
            total += n;
        }
        return (total, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }
}

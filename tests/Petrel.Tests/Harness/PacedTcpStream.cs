using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Petrel.Tests.Harness;

/// <summary>
/// One TCP connection kept busy for a fixed time at a modest rate (a chunk every interval), so it spans
/// events such as rekeys without starving the other traffic of a test; compares SHA-256 of both ends.
/// </summary>
public static class PacedTcpStream
{
    public static TcpTransfer.Result Run(LabSite from, LabSite to, TimeSpan duration, int chunkBytes = 32 * 1024,
        TimeSpan? interval = null, int port = 45011)
    {
        var every = interval ?? TimeSpan.FromMilliseconds(50);
        var src = IPAddress.Parse(from.LanV4);
        var dst = IPAddress.Parse(to.LanV4);
        // A stall longer than this (a rekey that breaks the data path) fails the stream rather than hanging the test.
        const int StallMs = 30_000;

        using var listener = NamespaceSocket.Create(to.Namespace, AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(dst, port));
        listener.Listen(1);

        using var client = NamespaceSocket.Create(from.Namespace, AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Bind(new IPEndPoint(src, 0));
        client.SendTimeout = StallMs;

        var receiver = Task.Run(() => TcpTransfer.ReceiveAll(listener, StallMs));

        var sw = Stopwatch.StartNew();
        if (!client.ConnectAsync(new IPEndPoint(dst, port)).Wait(TimeSpan.FromSeconds(15)))
        {
            listener.Close();
            throw new TimeoutException($"TCP connect {src} -> {dst}:{port} timed out (tunnel not passing traffic?)");
        }
        using var shaOut = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var rng = new Random(6789);
        var chunk = new byte[chunkBytes];
        long sent = 0;
        var next = sw.Elapsed;
        while (sw.Elapsed < duration)
        {
            rng.NextBytes(chunk);
            shaOut.AppendData(chunk);
            client.Send(chunk);
            sent += chunk.Length;
            next += every;
            var wait = next - sw.Elapsed;
            if (wait > TimeSpan.Zero) Thread.Sleep(wait);
        }
        client.Shutdown(SocketShutdown.Send);
        if (!receiver.Wait(TimeSpan.FromMilliseconds(StallMs)))
        {
            listener.Close();
            throw new TimeoutException($"paced TCP stream {src} -> {dst}:{port}: receiver did not finish");
        }
        sw.Stop();
        var (received, rxHash) = receiver.Result;
        var txHash = Convert.ToHexStringLower(shaOut.GetHashAndReset());
        return new TcpTransfer.Result(sent, received, txHash == rxHash && sent == received, txHash, rxHash, sw.Elapsed);
    }
}

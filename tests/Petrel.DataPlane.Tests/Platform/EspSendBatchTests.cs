using System.Net;
using System.Net.Sockets;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Tests.Pipeline;
using Petrel.Platform.Host;
using Petrel.Platform.Net;

namespace Petrel.DataPlane.Tests.Platform;

/// <summary>
/// <see cref="EspSendBatch"/> over real UDP sockets on loopback (no root): a burst of mixed sizes
/// leaves in one sendmmsg of several UDP GSO groups, and <see cref="UdpEndpoint.ReceiveBatch"/>
/// (recvmmsg) gets every datagram back, in order, byte for byte.
/// </summary>
public class EspSendBatchTests
{
    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    [Fact]
    public void A_burst_of_mixed_sizes_leaves_in_one_sendmmsg_and_arrives_whole_and_in_order()
    {
        int txPort = FreePort(), rxPort = FreePort();
        using var udp = new UdpTransport(ikePort: 0, natTPort: txPort, addresses: [IPAddress.Loopback]);
        using var kernel = new UserspaceKernel(udp, new CapturingTunnel());
        using var rx = new UdpEndpoint(new IPEndPoint(IPAddress.Loopback, rxPort));
        var peer = new EspPeer(new IPEndPoint(IPAddress.Loopback, txPort), new IPEndPoint(IPAddress.Loopback, rxPort), udpEncapsulation: true);

        // IMIX-like: runs of equal sizes, size changes, short tails.
        int[] sizes = [.. Enumerable.Repeat(92, 7), .. Enumerable.Repeat(620, 4), 1380, .. Enumerable.Repeat(92, 7), .. Enumerable.Repeat(620, 4), 1380, 92, 60, 92];
        var sent = new List<byte[]>();
        var batch = new EspSendBatch(udp, kernel);
        for (int i = 0; i < sizes.Length; i++)
        {
            var esp = new byte[sizes[i]];
            new Random(i).NextBytes(esp);
            esp[0] = 0x6d; // a non-zero SPI: not mistaken for the non-ESP marker
            sent.Add(esp);
            batch.Add(peer, esp);
        }
        batch.Flush();

        Assert.Equal(1, batch.SendCalls);
        Assert.True(batch.Batches >= 4, $"{batch.Batches} GSO groups");
        Assert.Equal(0, kernel.Statistics.Dropped(DropReason.SendFailed));

        using var receive = new RawReceiveBatch();
        var got = new List<byte[]>();
        for (int tries = 0; tries < 50 && got.Count < sent.Count; tries++)
        {
            int n = rx.ReceiveBatch(receive, 100);
            for (int m = 0; m < n; m++)
            {
                Assert.Equal(txPort, receive.Source(m).Port);
                got.Add(receive.Buffer.AsSpan(receive.Offset(m), receive.Length(m)).ToArray());
            }
        }
        Assert.Equal(sent.Count, got.Count);
        for (int i = 0; i < sent.Count; i++)
            Assert.True(sent[i].AsSpan().SequenceEqual(got[i]), $"datagram {i} ({sizes[i]} bytes) differs");
    }
}

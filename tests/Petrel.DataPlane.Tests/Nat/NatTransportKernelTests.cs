using System.Net;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Pipeline;
using Petrel.DataPlane.Policy;
using Petrel.DataPlane.Tests.Pipeline;
using Petrel.DataPlane.Tests.TestCrypto;

namespace Petrel.DataPlane.Tests.Nat;

/// <summary>
/// ESP transport mode in UDP across a NAT through two kernels: the client (10.1.0.2, behind a
/// NAT that shows it as 198.18.0.1:31000) seals its host's TCP/UDP packets to the server
/// (198.18.0.2); the server's inbound SA comes from the NAT's address, so its rebuilt header
/// names 198.18.0.1, which is what the server's sockets see and answer; the checksum the client's
/// host computed over 10.1.0.2 must verify after the server's fix-up.
/// </summary>
public class NatTransportKernelTests
{
    private const uint Spi = 0x2000beef;
    private static readonly IPAddress Client = IPAddress.Parse("10.1.0.2");
    private static readonly IPAddress NatPublic = IPAddress.Parse("198.18.0.1");
    private static readonly IPAddress Server = IPAddress.Parse("198.18.0.2");

    private static SaSpec Sa(SaDirection direction, IPEndPoint src, IPEndPoint dst, IPAddress? originalSource = null, IPAddress? originalDestination = null) => new()
    {
        Spi = Spi, Direction = direction, Mode = IpsecMode.Transport, Source = src, Destination = dst, UdpEncapsulation = true,
        Encryption = TestTransforms.AesGcm16(128), EncryptionKey = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray(),
        ReqId = 1, OriginalSource = originalSource, OriginalDestination = originalDestination,
    };

    private static PolicySpec Policy(IPAddress local, IPAddress remote) => new()
    {
        ReqId = 1, LocalTs = [TrafficSelector.Parse(local + "/32")], RemoteTs = [TrafficSelector.Parse(remote + "/32")],
        Mode = IpsecMode.Transport, LocalAddress = local, RemoteAddress = remote,
    };

    /// <summary>Sends packet from the client's host and returns what the server's host receives.</summary>
    private static byte[] Through(byte[] packet, IPAddress? originalSource, IPAddress? originalDestination)
    {
        var wire = new CapturingTransport();
        var tun = new CapturingTunnel();
        using var client = new UserspaceKernel(wire, new CapturingTunnel(), algorithms: TestAlgorithmProvider.Instance);
        using var server = new UserspaceKernel(new CapturingTransport(), tun, algorithms: TestAlgorithmProvider.Instance);
        client.InstallSa(Sa(SaDirection.Outbound, new IPEndPoint(Client, 4500), new IPEndPoint(Server, 4500)));
        client.InstallPolicy(Policy(Client, Server));
        // RFC 7296 §2.23.1: the server's policy names the address it sees (the NAT's).
        server.InstallSa(Sa(SaDirection.Inbound, new IPEndPoint(NatPublic, 31000), new IPEndPoint(Server, 4500), originalSource, originalDestination));
        server.InstallPolicy(Policy(Server, NatPublic));

        var buffer = new byte[UserspaceKernel.Headroom + packet.Length + UserspaceKernel.Tailroom];
        packet.CopyTo(buffer, UserspaceKernel.Headroom);
        Assert.Equal(DropReason.None, client.ProcessOutbound(buffer, UserspaceKernel.Headroom, packet.Length));
        var esp = Assert.Single(wire.Sent).Packet;

        var inbound = new byte[UserspaceKernel.InboundHeadroom + esp.Length];
        esp.CopyTo(inbound, UserspaceKernel.InboundHeadroom);
        Assert.Equal(DropReason.None, server.ProcessInbound(inbound, UserspaceKernel.InboundHeadroom, esp.Length));
        return Assert.Single(tun.Written);
    }

    [Theory]
    [InlineData(NatPackets.Tcp, 1399, true)]
    [InlineData(NatPackets.Tcp, 1399, false)]
    [InlineData(NatPackets.Udp, 77, true)]
    [InlineData(NatPackets.Udp, 77, false)]
    public void Server_host_gets_the_nat_address_and_a_valid_checksum(byte protocol, int payloadLength, bool originalsKnown)
    {
        var sent = NatPackets.Build(Client.ToString(), Server.ToString(), protocol, payloadLength);

        var received = originalsKnown ? Through(sent, Client, Server) : Through(sent, null, null);

        Assert.Equal(NatPublic, new IPAddress(received.AsSpan(12, 4)));
        Assert.Equal(Server, new IPAddress(received.AsSpan(16, 4)));
        Assert.True(NatPackets.Verifies(received));
        Assert.Equal(sent.AsSpan(28 + (protocol == NatPackets.Tcp ? 12 : 0)).ToArray(), received.AsSpan(28 + (protocol == NatPackets.Tcp ? 12 : 0)).ToArray());
    }

    [Fact]
    public void Without_the_fixup_the_checksum_would_fail()
    {
        // Originals equal to the delivered addresses: the SA claims no NAT changed anything.
        var sent = NatPackets.Build(Client.ToString(), Server.ToString(), NatPackets.Tcp, 200);

        var received = Through(sent, NatPublic, Server);

        Assert.False(NatPackets.Verifies(received));
    }
}

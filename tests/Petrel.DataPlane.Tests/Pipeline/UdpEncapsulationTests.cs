using Petrel.DataPlane.Pipeline;

namespace Petrel.DataPlane.Tests.Pipeline;

public class UdpEncapsulationTests
{
    [Theory]
    [InlineData("ff", UdpDatagramKind.NatKeepalive)]        // RFC 3948 §2.3
    [InlineData("00", UdpDatagramKind.Invalid)]
    [InlineData("", UdpDatagramKind.Invalid)]
    [InlineData("000000", UdpDatagramKind.Invalid)]
    [InlineData("00000000", UdpDatagramKind.Invalid)]       // marker without a message
    [InlineData("000000001122334455667788", UdpDatagramKind.Ike)] // RFC 3948 §2.2 non-ESP marker
    [InlineData("c254fe6400000001", UdpDatagramKind.Esp)]
    [InlineData("00000001aabb", UdpDatagramKind.Esp)]       // SPI 1 is reserved but not the marker: ESP path drops it
    public void Classifies_nat_t_port_datagrams(string hex, UdpDatagramKind expected)
    {
        Assert.Equal(expected, UdpEncapsulation.Classify(Convert.FromHexString(hex)));
    }
}

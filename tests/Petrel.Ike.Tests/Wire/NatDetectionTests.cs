using System.Net;
using System.Security.Cryptography;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Wire;

public class NatDetectionTests
{
    [Fact]
    public void Hash_is_sha1_over_spis_address_and_port()
    {
        // RFC 7296 §2.23, written out: SHA-1(SPIi | SPIr | IP | Port), all in network order.
        var expected4 = SHA1.HashData(Hex.Parse("0102030405060708 | 0000000000000000 | c0a80102 | 01f4"));
        Assert.Equal(expected4, NatDetection.ComputeHash(0x0102030405060708, 0, new IPEndPoint(IPAddress.Parse("192.168.1.2"), 500)));

        var expected6 = SHA1.HashData(Hex.Parse("0102030405060708 | 1112131415161718 | 20010db8000000000000000000000001 | 1194"));
        Assert.Equal(expected6, NatDetection.ComputeHash(0x0102030405060708, 0x1112131415161718, new IPEndPoint(IPAddress.Parse("2001:db8::1"), 4500)));
        Assert.True(NatDetection.Matches(expected6, 0x0102030405060708, 0x1112131415161718, new IPEndPoint(IPAddress.Parse("2001:db8::1"), 4500)));
        Assert.False(NatDetection.Matches(expected6, 0x0102030405060708, 0x1112131415161718, new IPEndPoint(IPAddress.Parse("2001:db8::1"), 500)));
    }
}

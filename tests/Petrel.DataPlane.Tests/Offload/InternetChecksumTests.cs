using Petrel.DataPlane.Offload;

namespace Petrel.DataPlane.Tests.Offload;

public class InternetChecksumTests
{
    [Fact]
    public void Rfc1071_example_sums_to_ddf2()
    {
        // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to dd f2.
        byte[] data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        Assert.Equal(0xddf2, InternetChecksum.Fold(InternetChecksum.Add(0, data)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(63)]
    [InlineData(1400)]
    [InlineData(1401)]
    [InlineData(65000)]
    public void Matches_the_byte_pair_reference_for_any_length(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        Assert.Equal(TcpTestPackets.Checksum(data, 0), InternetChecksum.Finish(InternetChecksum.Add(0, data)));
        // All ones is the worst case for carries.
        Array.Fill(data, (byte)0xFF);
        Assert.Equal(TcpTestPackets.Checksum(data, 0), InternetChecksum.Finish(InternetChecksum.Add(0, data)));
    }
}

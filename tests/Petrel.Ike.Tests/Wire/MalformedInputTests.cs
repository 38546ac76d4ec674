using System.Buffers.Binary;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Wire;

public class MalformedInputTests
{
    private static IkeDecodeStatus Decode(byte[] bytes, out IkeMessage? message, out string error) =>
        IkeMessage.TryDecode(bytes, null, out message, out error);

    [Theory]
    [MemberData(nameof(PayloadVectors.All), MemberType = typeof(PayloadVectors))]
    public void Every_truncation_is_rejected_without_throwing(string name, byte type, string hex)
    {
        var full = HandMessage.Build(type, hex);
        for (int n = 0; n < full.Length; n++)
        {
            var cut = full.AsSpan(0, n).ToArray();
            Assert.Equal(IkeDecodeStatus.Malformed, Decode(cut, out var m, out string error));
            Assert.Null(m);
            Assert.False(string.IsNullOrEmpty(error), $"{name} cut at {n}: no error text");

            // Also with the header Length rewritten to match, so the payload layer sees the truncation.
            if (n >= 28)
            {
                BinaryPrimitives.WriteUInt32BigEndian(cut.AsSpan(24), (uint)n);
                var status = Decode(cut, out _, out _);
                // A cut exactly between payloads of a chain is still invalid: the chain names a missing payload.
                Assert.Equal(IkeDecodeStatus.Malformed, status);
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Payload_length_below_the_generic_header_is_rejected(int length)
    {
        var bytes = HandMessage.Build(40, PayloadVectors.Nonce);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(28 + 2), (ushort)length);
        Assert.Equal(IkeDecodeStatus.Malformed, Decode(bytes, out _, out string error));
        Assert.Contains("below", error);
    }

    [Fact]
    public void Payload_length_past_the_end_is_rejected()
    {
        var bytes = HandMessage.Build(40, PayloadVectors.Nonce);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(28 + 2), (ushort)(bytes.Length - 28 + 1));
        Assert.Equal(IkeDecodeStatus.Malformed, Decode(bytes, out _, out string error));
        Assert.Contains("past the end", error);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(28 + 2), 0xffff);
        Assert.Equal(IkeDecodeStatus.Malformed, Decode(bytes, out _, out _));
    }

    [Fact]
    public void Header_length_past_the_datagram_or_short_of_it_is_rejected()
    {
        var bytes = HandMessage.Build(40, PayloadVectors.Nonce);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(24), (uint)bytes.Length + 1);
        Assert.Equal(IkeDecodeStatus.Malformed, Decode(bytes, out _, out _));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(24), 27);
        Assert.Equal(IkeDecodeStatus.Malformed, Decode(bytes, out _, out _));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(24), 0xffffffff);
        Assert.Equal(IkeDecodeStatus.Malformed, Decode(bytes, out _, out _));

        var trailing = HandMessage.Build(40, PayloadVectors.Nonce + "00");
        Assert.Equal(IkeDecodeStatus.Malformed, Decode(trailing, out _, out string error));
        Assert.Contains("after the last payload", error);
    }

    [Theory]
    [InlineData("00 00 0004", 40)]                       // Nonce with no data
    [InlineData("00 00 0004", 34)]                       // KE without group
    [InlineData("00 00 0004", 35)]                       // IDi without type
    [InlineData("00 00 0004", 39)]                       // AUTH without method
    [InlineData("00 00 0004", 41)]                       // Notify without header
    [InlineData("00 00 0004", 33)]                       // SA without proposals
    [InlineData("00 00 0004", 44)]                       // TSi without count
    [InlineData("00 00 0004", 48)]                       // EAP without header
    public void Zero_length_payload_bodies_are_rejected(string payload, byte type)
    {
        Assert.Equal(IkeDecodeStatus.Malformed, Decode(HandMessage.Build(type, payload), out _, out string error));
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData("00 00 000c | 03 00 0001 | c0ffee01")]   // ESP delete with SPI size 0
    [InlineData("00 00 000c | 01 04 0001 | c0ffee01")]   // IKE delete listing SPIs
    [InlineData("00 00 000c | 03 04 0002 | c0ffee01")]   // two SPIs announced, one present
    [InlineData("00 00 0008 | 09 04 0000")]              // unknown protocol
    public void Inconsistent_delete_payloads_are_rejected(string payload)
    {
        Assert.Equal(IkeDecodeStatus.Malformed, Decode(HandMessage.Build(42, payload), out _, out _));
    }

    [Theory]
    [InlineData("00 00 0014 | 00 00 0010 | 01 01 00 02 | 00 00 0008 | 01 00 000c")]   // Num Transforms 2, one present
    [InlineData("00 00 0014 | 02 00 0010 | 01 01 00 01 | 00 00 0008 | 01 00 000c")]   // proposal says "more" but none follows
    [InlineData("00 00 0014 | 00 00 0010 | 01 01 00 01 | 03 00 0008 | 01 00 000c")]   // transform says "more" at the end
    [InlineData("00 00 0014 | 00 00 0010 | 01 01 00 01 | 00 00 0004 | 01 00 000c")]   // transform length below its header
    [InlineData("00 00 0014 | 00 00 0010 | 01 01 08 01 | 00 00 0008 | 01 00 000c")]   // SPI size past the proposal
    [InlineData("00 00 0018 | 00 00 0014 | 01 01 00 01 | 00 00 000c | 01 00 000c | 000e 0010")] // TLV attribute past the end
    public void Inconsistent_sa_payloads_are_rejected(string payload)
    {
        Assert.Equal(IkeDecodeStatus.Malformed, Decode(HandMessage.Build(33, payload), out _, out string error));
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData("00 00 0018 | 01 000000 | 07 00 0014 | 0000 ffff | c0a80100 | c0a801ff")]  // IPv4 selector length 20
    [InlineData("00 00 0018 | 02 000000 | 07 00 0010 | 0000 ffff | c0a80100 | c0a801ff")]  // two announced, one present
    [InlineData("00 00 000c | 01 000000 | 07 00 0002")]                                      // selector length below header
    public void Inconsistent_traffic_selectors_are_rejected(string payload)
    {
        Assert.Equal(IkeDecodeStatus.Malformed, Decode(HandMessage.Build(44, payload), out _, out _));
    }

    [Theory]
    [InlineData(0x10)]
    [InlineData(0x30)]
    [InlineData(0xf0)]
    public void Wrong_major_version_is_reported_with_the_header(byte version)
    {
        var bytes = HandMessage.Build(40, PayloadVectors.Nonce, version: version);
        Assert.Equal(IkeDecodeStatus.InvalidMajorVersion, Decode(bytes, out var m, out string error));
        Assert.Contains("version", error);
        Assert.NotNull(m);
        Assert.Equal(HandMessage.SpiI, m!.InitiatorSpi);
        Assert.Empty(m.Payloads);
    }

    [Fact]
    public void Higher_minor_version_is_accepted()
    {
        // RFC 7296 §3.1: implementations MUST ignore the minor version of received messages.
        var bytes = HandMessage.Build(40, PayloadVectors.Nonce, version: 0x21);
        Assert.Equal(IkeDecodeStatus.Success, Decode(bytes, out var m, out _));
        Assert.Equal(1, m!.MinorVersion);
        Assert.Equal(bytes, m.Encode());
    }

    [Fact]
    public void Encrypted_payload_that_is_not_last_is_rejected()
    {
        var bytes = HandMessage.Build(46, "23 00 0008 | 00112233 | 00 00 0018 | 000102030405060708090a0b0c0d0e0f10111213");
        Assert.Equal(IkeDecodeStatus.Malformed, Decode(bytes, out _, out string error));
        Assert.Contains("last", error);
    }

    [Fact]
    public void Fragment_numbers_out_of_range_are_rejected()
    {
        Assert.Equal(IkeDecodeStatus.Malformed, Decode(HandMessage.Build(53, "23 00 0018 | 0000 0002 | 00112233445566778899aabbccddeeff"), out _, out _));
        Assert.Equal(IkeDecodeStatus.Malformed, Decode(HandMessage.Build(53, "23 00 0018 | 0003 0002 | 00112233445566778899aabbccddeeff"), out _, out _));
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        var random = new Random(7296);
        for (int i = 0; i < 20000; i++)
        {
            var buffer = new byte[random.Next(0, 160)];
            random.NextBytes(buffer);
            if (buffer.Length >= 28 && (i & 1) == 0)
            {
                // Half the time, a plausible header so the payload decoders are reached.
                buffer[17] = 0x20;
                BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(24), (uint)buffer.Length);
                buffer[16] = (byte)random.Next(32, 55);
            }
            var status = Decode(buffer, out _, out _);
            Assert.True(Enum.IsDefined(status));
        }
    }

    [Theory]
    [MemberData(nameof(PayloadVectors.All), MemberType = typeof(PayloadVectors))]
    public void Random_mutations_of_valid_messages_never_throw(string name, byte type, string hex)
    {
        var original = HandMessage.Build(type, hex);
        var random = new Random(name.Length * 31 + type);
        for (int i = 0; i < 2000; i++)
        {
            var mutated = (byte[])original.Clone();
            int flips = random.Next(1, 4);
            for (int f = 0; f < flips; f++)
                mutated[random.Next(28, mutated.Length)] = (byte)random.Next(256);
            var status = Decode(mutated, out var m, out _);
            if (status == IkeDecodeStatus.Success)
                m!.Encode(); // whatever decoded must also encode
        }
    }
}

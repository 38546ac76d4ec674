using System.Buffers.Binary;

namespace Petrel.Ike.Tests.Wire;

/// <summary>
/// Builds an IKE message around hand-written payload bytes by laying out the RFC 7296 §3.1 header
/// field by field, independently of the codec under test.
/// </summary>
internal static class HandMessage
{
    public const ulong SpiI = 0x0102030405060708, SpiR = 0x1112131415161718;

    public static byte[] Build(byte firstPayload, string payloadsHex, byte exchange = 34, byte flags = 0x08, uint messageId = 0, byte version = 0x20)
    {
        var payloads = Hex.Parse(payloadsHex);
        var message = new byte[28 + payloads.Length];
        BinaryPrimitives.WriteUInt64BigEndian(message, SpiI);
        BinaryPrimitives.WriteUInt64BigEndian(message.AsSpan(8), SpiR);
        message[16] = firstPayload;
        message[17] = version;
        message[18] = exchange;
        message[19] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(20), messageId);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(24), (uint)message.Length);
        payloads.CopyTo(message, 28);
        return message;
    }
}

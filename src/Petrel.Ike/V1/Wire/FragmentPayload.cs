using System.Buffers.Binary;

namespace Petrel.Ike.V1.Wire;

/// <summary>
/// The IKEv1 fragment payload (type 132, Cisco's format as strongSwan implements it): fragment ID (2 octets), fragment
/// number (1, from 1), flags (1, bit 0 = last fragment), then a piece of the encoded (and encrypted) ISAKMP message.
/// </summary>
public sealed record FragmentPayload(ushort Id, byte Number, bool Last, byte[] Data)
{
    public const int HeaderLength = 4;
    private const byte LastFlag = 0x01;

    public byte[] Encode()
    {
        var body = new byte[HeaderLength + Data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(body, Id);
        body[2] = Number;
        body[3] = Last ? LastFlag : (byte)0;
        Data.CopyTo(body, HeaderLength);
        return body;
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, out FragmentPayload? fragment, out string error)
    {
        fragment = null;
        error = "";
        if (body.Length < HeaderLength) { error = $"fragment payload of {body.Length} bytes is shorter than its header"; return false; }
        if (body[2] == 0) { error = "fragment number 0"; return false; }
        fragment = new FragmentPayload(BinaryPrimitives.ReadUInt16BigEndian(body), body[2], (body[3] & LastFlag) != 0, body[HeaderLength..].ToArray());
        return true;
    }
}

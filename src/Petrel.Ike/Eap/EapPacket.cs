using System.Buffers.Binary;

namespace Petrel.Ike.Eap;

//  RFC 3748 §4 EAP packet
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     Code      |  Identifier   |            Length             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     Type      |  Type-Data ...           (Request and Response only)
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  Success and Failure are the 4-byte header alone (§4.2).

/// <summary>One EAP packet (RFC 3748 §4): its header fields, the method data, and the encoded bytes.</summary>
public sealed class EapPacket
{
    private EapPacket(EapCode code, byte identifier, EapType type, byte[] bytes)
    {
        Code = code;
        Identifier = identifier;
        Type = type;
        Bytes = bytes;
    }

    public EapCode Code { get; }
    public byte Identifier { get; }

    /// <summary>The method type of a Request or Response; <see cref="EapType.None"/> for Success and Failure.</summary>
    public EapType Type { get; }

    /// <summary>The whole packet as it goes on the wire.</summary>
    public byte[] Bytes { get; }

    /// <summary>Type-Data: what follows the Type byte.</summary>
    public ReadOnlySpan<byte> Data => Code is EapCode.Request or EapCode.Response ? Bytes.AsSpan(5) : [];

    public bool IsRequest => Code == EapCode.Request;

    public static EapPacket Request(byte identifier, EapType type, ReadOnlySpan<byte> data) => Build(EapCode.Request, identifier, type, data);
    public static EapPacket Response(byte identifier, EapType type, ReadOnlySpan<byte> data) => Build(EapCode.Response, identifier, type, data);
    public static EapPacket Success(byte identifier) => Build(EapCode.Success, identifier, EapType.None, []);
    public static EapPacket Failure(byte identifier) => Build(EapCode.Failure, identifier, EapType.None, []);

    private static EapPacket Build(EapCode code, byte identifier, EapType type, ReadOnlySpan<byte> data)
    {
        bool typed = code is EapCode.Request or EapCode.Response;
        var bytes = new byte[4 + (typed ? 1 + data.Length : 0)];
        if (bytes.Length > ushort.MaxValue)
            throw new ArgumentException($"EAP packet of {bytes.Length} bytes is longer than its 16-bit length field");
        bytes[0] = (byte)code;
        bytes[1] = identifier;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)bytes.Length);
        if (typed)
        {
            bytes[4] = (byte)type;
            data.CopyTo(bytes.AsSpan(5));
        }
        return new EapPacket(code, identifier, type, bytes);
    }

    /// <summary>Parses one packet; the Length field must cover exactly the bytes given (RFC 7296 §3.16 carries one whole packet).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out EapPacket? packet, out string error)
    {
        packet = null;
        if (bytes.Length < 4) { error = $"EAP packet of {bytes.Length} bytes is shorter than its 4-byte header"; return false; }
        int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        if (length != bytes.Length) { error = $"EAP length field {length} does not match the {bytes.Length} bytes received"; return false; }
        var code = (EapCode)bytes[0];
        switch (code)
        {
            case EapCode.Request or EapCode.Response:
                // §4.1: a Request or Response carries at least the Type byte.
                if (length < 5) { error = $"EAP {code} without a Type"; return false; }
                packet = new EapPacket(code, bytes[1], (EapType)bytes[4], bytes.ToArray());
                break;
            case EapCode.Success or EapCode.Failure:
                // §4.2: no data; an implementation ignores trailing bytes, we keep the header only.
                packet = new EapPacket(code, bytes[1], EapType.None, bytes[..4].ToArray());
                break;
            default:
                error = $"EAP code {(byte)code} is not Request, Response, Success or Failure";
                return false;
        }
        error = "";
        return true;
    }

    public override string ToString() => Code switch
    {
        EapCode.Request or EapCode.Response => $"EAP {Code} {EapTypeNames.Of(Type)} id {Identifier}",
        _ => $"EAP {Code} id {Identifier}",
    };
}

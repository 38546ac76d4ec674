using System.Buffers.Binary;

namespace Petrel.Ike.Eap;

//  EAP-MSCHAPv2 Type-Data (draft-kamath-pppext-eap-mschapv2-02 §2)
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |    OpCode     |  MS-CHAPv2-ID |           MS-Length           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  Data (Challenge: Value-Size=16, Challenge, Name;
//  |        Response: Value-Size=49, Peer-Challenge(16), Reserved(8), NT-Response(24), Flags(1), Name;
//  |        Success/Failure Request: a text message "S=…" / "E=… R=… C=… V=… M=…")
//  MS-Length is the EAP Length minus 5. A Success or Failure *Response* is the OpCode alone.

internal enum MsChapV2OpCode : byte
{
    Challenge = 1,
    Response = 2,
    Success = 3,
    Failure = 4,
    ChangePassword = 7,
}

/// <summary>Builds and reads the Type-Data of EAP-MSCHAPv2 packets.</summary>
internal static class EapMsChapV2Message
{
    public const int ResponseValueSize = 49;

    public static byte[] Build(MsChapV2OpCode opCode, byte msChapId, ReadOnlySpan<byte> data)
    {
        var bytes = new byte[4 + data.Length];
        bytes[0] = (byte)opCode;
        bytes[1] = msChapId;
        // MS-Length counts from the OpCode: EAP Length (5 + Type-Data) minus 5.
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)bytes.Length);
        data.CopyTo(bytes.AsSpan(4));
        return bytes;
    }

    public static bool TryRead(ReadOnlySpan<byte> typeData, out MsChapV2OpCode opCode, out byte msChapId, out ReadOnlySpan<byte> data)
    {
        opCode = default; msChapId = 0; data = default;
        if (typeData.Length < 1) return false;
        opCode = (MsChapV2OpCode)typeData[0];
        if (typeData.Length == 1) return true; // Success/Failure Response
        if (typeData.Length < 4) return false;
        msChapId = typeData[1];
        data = typeData[4..];
        return true;
    }

    /// <summary>The value of one "X=…" field of a Success or Failure message (fields are separated by spaces; M= runs to the end).</summary>
    public static string? Field(string message, char name)
    {
        string key = name + "=";
        int at = message.StartsWith(key, StringComparison.Ordinal) ? 0 : message.IndexOf(" " + key, StringComparison.Ordinal) is var i and >= 0 ? i + 1 : -1;
        if (at < 0) return null;
        int start = at + 2;
        if (name == 'M') return message[start..];
        int end = message.IndexOf(' ', start);
        return end < 0 ? message[start..] : message[start..end];
    }
}

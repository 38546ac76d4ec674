using System.Security.Cryptography;

namespace Petrel.Ike.Eap;

//  RFC 3748 §5.4 MD5-Challenge Type-Data (the CHAP format of RFC 1994 §4.1)
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  Value-Size   |  Value ...      |  Name ...
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  Response Value = MD5(Identifier || secret || challenge Value).

/// <summary>EAP-MD5 arithmetic shared by both roles. MD5-Challenge derives no key (RFC 3748 §5.4), so IKE uses the shared-key AUTH without MSK (RFC 7296 §2.16).</summary>
internal static class EapMd5
{
    public const int ChallengeLength = 16;

    public static byte[] Answer(byte identifier, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> challenge)
    {
        var input = new byte[1 + secret.Length + challenge.Length];
        input[0] = identifier;
        secret.CopyTo(input.AsSpan(1));
        challenge.CopyTo(input.AsSpan(1 + secret.Length));
        var hash = MD5.HashData(input);
        CryptographicOperations.ZeroMemory(input);
        return hash;
    }

    /// <summary>Value-Size, Value, Name.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> value, ReadOnlySpan<byte> name)
    {
        var data = new byte[1 + value.Length + name.Length];
        data[0] = (byte)value.Length;
        value.CopyTo(data.AsSpan(1));
        name.CopyTo(data.AsSpan(1 + value.Length));
        return data;
    }

    public static bool TryDecode(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (data.Length < 1 || data[0] == 0 || data.Length < 1 + data[0]) return false;
        value = data.Slice(1, data[0]);
        return true;
    }
}

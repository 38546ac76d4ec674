using System.Security.Cryptography;

namespace Petrel.Ike.Radius;

/// <summary>
/// MS-MPPE-Send-Key / MS-MPPE-Recv-Key (RFC 2548 §2.4.2, §2.4.3): Salt (2 octets, high bit set) and the
/// key encrypted as P = key length + key + padding, with b(1) = MD5(secret + Request Authenticator + Salt),
/// b(i) = MD5(secret + c(i-1)), c(i) = p(i) XOR b(i). A RADIUS server sends the EAP method's MSK in them:
/// Recv-Key is the MSK's first 32 octets, Send-Key the next 32 (RFC 2716 §3.5, as strongSwan joins them).
/// </summary>
public static class MppeKey
{
    public static bool TryDecrypt(ReadOnlySpan<byte> value, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> requestAuthenticator, out byte[] key)
    {
        key = [];
        if (value.Length < 2 + 16 || (value.Length - 2) % 16 != 0 || (value[0] & 0x80) == 0)
            return false;
        var salt = value[..2];
        var cipher = value[2..];
        var plain = new byte[cipher.Length];
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        for (int i = 0; i < cipher.Length; i += 16)
        {
            md5.AppendData(secret);
            if (i == 0)
            {
                md5.AppendData(requestAuthenticator);
                md5.AppendData(salt);
            }
            else
            {
                md5.AppendData(cipher.Slice(i - 16, 16));
            }
            var b = md5.GetHashAndReset();
            for (int j = 0; j < 16; j++)
                plain[i + j] = (byte)(cipher[i + j] ^ b[j]);
        }
        int length = plain[0];
        if (length == 0 || length > plain.Length - 1)
        {
            CryptographicOperations.ZeroMemory(plain);
            return false;
        }
        key = plain.AsSpan(1, length).ToArray();
        CryptographicOperations.ZeroMemory(plain);
        return true;
    }

    /// <summary>The encryption, for tests and for a RADIUS server written in-process (salt's high bit is forced on).</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> requestAuthenticator, ushort salt)
    {
        int padded = (1 + key.Length + 15) / 16 * 16;
        var plain = new byte[padded];
        plain[0] = (byte)key.Length;
        key.CopyTo(plain.AsSpan(1));
        var value = new byte[2 + padded];
        value[0] = (byte)((salt >> 8) | 0x80);
        value[1] = (byte)salt;
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        for (int i = 0; i < padded; i += 16)
        {
            md5.AppendData(secret);
            if (i == 0) { md5.AppendData(requestAuthenticator); md5.AppendData(value.AsSpan(0, 2)); }
            else md5.AppendData(value.AsSpan(2 + i - 16, 16));
            var b = md5.GetHashAndReset();
            for (int j = 0; j < 16; j++)
                value[2 + i + j] = (byte)(plain[i + j] ^ b[j]);
        }
        return value;
    }
}

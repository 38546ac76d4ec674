using System.Security.Cryptography;

namespace Petrel.Ike.Radius;

/// <summary>
/// The User-Password attribute (RFC 2865 §5.2): the password, padded with zero octets to a multiple of 16 (at most
/// 128), is hidden block by block: c(1) = p(1) XOR MD5(secret + Request Authenticator), c(i) = p(i) XOR MD5(secret +
/// c(i-1)). A password never goes out in the clear, and only a server that knows the secret can read it.
/// </summary>
public static class RadiusUserPassword
{
    public const int MaxLength = 128;

    /// <summary>The hidden value for <paramref name="password"/> under a request with <paramref name="requestAuthenticator"/>.</summary>
    public static byte[] Hide(ReadOnlySpan<byte> password, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> requestAuthenticator)
    {
        if (password.Length > MaxLength)
            throw new ArgumentException($"a RADIUS User-Password holds at most {MaxLength} octets, not {password.Length}");
        int length = Math.Max(16, (password.Length + 15) / 16 * 16);
        var hidden = new byte[length];
        password.CopyTo(hidden);
        Span<byte> previous = stackalloc byte[16];
        requestAuthenticator.CopyTo(previous);
        for (int at = 0; at < length; at += 16)
        {
            var pad = Pad(secret, previous);
            for (int i = 0; i < 16; i++) hidden[at + i] ^= pad[i];
            hidden.AsSpan(at, 16).CopyTo(previous);
        }
        return hidden;
    }

    /// <summary>The password inside a hidden value (what a server does; used by tests), without the zero padding.</summary>
    public static byte[] Reveal(ReadOnlySpan<byte> hidden, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> requestAuthenticator)
    {
        if (hidden.Length == 0 || hidden.Length % 16 != 0 || hidden.Length > MaxLength)
            throw new ArgumentException($"a hidden User-Password is 16 to {MaxLength} octets in blocks of 16, not {hidden.Length}");
        var plain = new byte[hidden.Length];
        ReadOnlySpan<byte> previous = requestAuthenticator;
        for (int at = 0; at < hidden.Length; at += 16)
        {
            var pad = Pad(secret, previous);
            for (int i = 0; i < 16; i++) plain[at + i] = (byte)(hidden[at + i] ^ pad[i]);
            previous = hidden.Slice(at, 16);
        }
        int end = plain.Length;
        while (end > 0 && plain[end - 1] == 0) end--;
        return plain[..end];
    }

    private static byte[] Pad(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> previous)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        md5.AppendData(secret);
        md5.AppendData(previous);
        return md5.GetHashAndReset();
    }
}

using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>Maps <see cref="HashKind"/> to the runtime's hash names and sizes.</summary>
internal static class HashKindInfo
{
    public static HashAlgorithmName Name(HashKind kind) => kind switch
    {
        HashKind.Md5 => HashAlgorithmName.MD5,
        HashKind.Sha1 => HashAlgorithmName.SHA1,
        HashKind.Sha256 => HashAlgorithmName.SHA256,
        HashKind.Sha384 => HashAlgorithmName.SHA384,
        HashKind.Sha512 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static int OutputBytes(HashKind kind) => kind switch
    {
        HashKind.Md5 => 16,
        HashKind.Sha1 => 20,
        HashKind.Sha256 => 32,
        HashKind.Sha384 => 48,
        HashKind.Sha512 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>One-shot HMAC into a caller buffer of exactly OutputBytes(kind) bytes; no allocation.</summary>
    public static void Hmac(HashKind kind, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        switch (kind)
        {
            case HashKind.Md5: HMACMD5.HashData(key, data, output); break;
            case HashKind.Sha1: HMACSHA1.HashData(key, data, output); break;
            case HashKind.Sha256: HMACSHA256.HashData(key, data, output); break;
            case HashKind.Sha384: HMACSHA384.HashData(key, data, output); break;
            case HashKind.Sha512: HMACSHA512.HashData(key, data, output); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }
}

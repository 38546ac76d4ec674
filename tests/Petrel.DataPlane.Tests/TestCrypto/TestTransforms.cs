using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;

namespace Petrel.DataPlane.Tests.TestCrypto;

/// <summary>IANA IKEv2 transform ids (RFC 7296 §3.3.2 registry) used by the tests.</summary>
internal static class TestTransforms
{
    public const ushort EncrAesCbc = 12;
    public const ushort EncrAesGcm16 = 20;
    public const ushort EncrChaCha20Poly1305 = 28;
    public const ushort AuthHmacSha1_96 = 2;
    public const ushort AuthHmacSha256_128 = 12;

    public static Transform AesGcm16(int bits) => new(TransformType.Encryption, EncrAesGcm16, (ushort)bits);
    public static Transform AesCbc(int bits) => new(TransformType.Encryption, EncrAesCbc, (ushort)bits);
    public static Transform ChaCha20Poly1305 => new(TransformType.Encryption, EncrChaCha20Poly1305);
    public static Transform HmacSha1_96 => new(TransformType.Integrity, AuthHmacSha1_96);
    public static Transform HmacSha256_128 => new(TransformType.Integrity, AuthHmacSha256_128);
}

namespace Petrel.Tests.Interop;

/// <summary>
/// The rows of <see cref="PetrelPairMatrixTests"/>: the algorithms in Petrel's catalogue that
/// strongSwan 5.9.8 here does not support (see <see cref="AlgorithmMatrixCases"/> for its list),
/// negotiated between two Petrel daemons.
/// </summary>
/// <remarks>
/// Serpent and Twofish (IKE and ESP; strongSwan's serpent/twofish plugins are not built),
/// HMAC_SHA2_256_96 (strongSwan has no signer for it), NULL_AES_GMAC (ESP only; RFC 4543),
/// and ML-KEM 512/768/1024 alone in IKE_SA_INIT. ML-KEM as an RFC 9370 additional key exchange
/// ("ke1_mlkem768", IKE_INTERMEDIATE and IKE_FOLLOWUP_KE) is proven in-process by
/// Petrel.Ike.Tests' IntermediateExchangeTests and FollowUpKeyExchangeTests, which check every key
/// exchange performed, not only the main group.
/// </remarks>
public static class PetrelPairMatrixCases
{
    public static IReadOnlyList<AlgorithmMatrixCase> All { get; } =
    [
        new(0, ["serpent128", "sha256_96", "prfsha256", "curve25519"], ["serpent128", "sha256_96"], true),
        new(1, ["serpent192", "sha384", "prfsha384", "ecp384"], ["serpent192", "sha256"], false),
        new(2, ["serpent256", "sha512", "prfsha512", "modp2048"], ["serpent256", "sha512"], true),
        new(3, ["twofish128", "sha256", "prfsha256", "ecp256"], ["twofish128", "sha256_96"], false),
        new(4, ["twofish192", "sha256_96", "prfaescmac", "curve448"], ["twofish192", "aesxcbc"], true),
        new(5, ["twofish256", "sha384", "prfsha384", "ecp521"], ["twofish256", "sha384"], false),
        new(6, ["aes128gcm16", "prfsha256", "ecp256"], ["null_aes128gmac"], true),
        new(7, ["aes192gcm16", "prfsha384", "ecp384"], ["null_aes192gmac"], false),
        new(8, ["aes256gcm16", "prfsha512", "curve25519"], ["null_aes256gmac"], true),
        new(9, ["aes128gcm16", "prfsha256", "mlkem512"], ["aes128gcm16"], true),
        new(10, ["aes256gcm16", "prfsha384", "mlkem768"], ["aes256gcm16"], false),
        new(11, ["chacha20poly1305", "prfsha512", "mlkem1024"], ["chacha20poly1305"], true),
    ];

    public static AlgorithmMatrixCase ByName(string name) => All.Single(c => c.Name == name);

    public static IEnumerable<object[]> Names => All.Select(c => new object[] { new AlgorithmMatrixRow(c.Name) });
}

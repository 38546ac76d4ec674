namespace Petrel.Tests.Interop;

/// <summary>
/// The rows of <see cref="AlgorithmMatrixTests"/>: every algorithm strongSwan 5.9.8 supports with
/// the harness's plugin set, each negotiated with Petrel at least once.
/// </summary>
/// <remarks>
/// `swanctl --list-algs` against a charon loaded like <c>StrongSwanPeer</c> (plugins random nonce
/// openssl aes sha1 sha2 md5 hmac xcbc cmac ctr ccm gcm chapoly curve25519 gmp mgf1 … kernel-libipsec;
/// the des and sha3 plugins are not installed here), measured 2026-11-23:
/// <code>
/// encryption: AES_CBC AES_CTR AES_ECB AES_CFB CAMELLIA_CBC CAMELLIA_CTR CAST_CBC BLOWFISH_CBC 3DES_CBC DES_CBC DES_ECB NULL  [openssl]
/// integrity:  HMAC_MD5_96 HMAC_MD5_128 HMAC_SHA1_96 HMAC_SHA1_128 HMAC_SHA1_160 HMAC_SHA2_256_128 HMAC_SHA2_256_256
///             HMAC_SHA2_384_192 HMAC_SHA2_384_384 HMAC_SHA2_512_256 HMAC_SHA2_512_512 [openssl]
///             CAMELLIA_XCBC_96 AES_XCBC_96 [xcbc] AES_CMAC_96 [cmac]
/// aead:       AES_GCM_16/12/8 AES_CCM_16/12/8 CHACHA20_POLY1305 [openssl]  CAMELLIA_CCM_8/12/16 [ccm]
/// prf:        PRF_KEYED_SHA1 PRF_HMAC_MD5 PRF_HMAC_SHA1 PRF_HMAC_SHA2_256/384/512 [openssl]
///             PRF_AES128_XCBC PRF_CAMELLIA128_XCBC [xcbc] PRF_AES128_CMAC [cmac]
/// dh:         MODP_768/1024/1536/2048/3072/4096/6144/8192 MODP_1024_160 MODP_2048_224 MODP_2048_256
///             ECP_192/224/256/384/521 ECP_224_BP/256_BP/384_BP/512_BP CURVE_25519 CURVE_448 [openssl]
/// </code>
/// Of these, the ones with an IKEv2 transform ID are in the matrix. Left out because they have no
/// IKEv2/ESP transform ID (strongSwan uses them internally or for IKEv1/TLS): AES_ECB, AES_CFB,
/// DES_ECB, HMAC_SHA1_128, HMAC_SHA2_*_256/384/512 (untruncated), CAMELLIA_XCBC_96,
/// PRF_KEYED_SHA1, PRF_CAMELLIA128_XCBC, MODP_CUSTOM. NULL encryption is ESP only. DES_CBC (issue 3)
/// has its own last row, appended after the rotation so the earlier rows keep their names: in the lab,
/// two strongSwan 5.9.8 peers with esp_proposals = des-sha1 select ESP:DES_CBC/HMAC_SHA1_96 and ping
/// through it (6 ESP packets, no cleartext ICMP), so strongSwan does not refuse it.
/// strongSwan lacks (so <see cref="PetrelPairMatrixTests"/> covers them Petrel⇄Petrel): Serpent,
/// Twofish, NULL_AES_GMAC, HMAC_SHA2_256_96, ML-KEM.
/// </remarks>
public static class AlgorithmMatrixCases
{
    /// <summary>IKE and ESP ciphers strongSwan supports here: classic (need integrity), then AEAD.</summary>
    public static readonly string[] ClassicCiphers =
    [
        "aes128", "aes192", "aes256", "aes128ctr", "aes192ctr", "aes256ctr",
        "camellia128", "camellia192", "camellia256", "camellia128ctr", "camellia192ctr", "camellia256ctr",
        "blowfish128", "blowfish192", "blowfish256", "cast128", "3des",
    ];

    public static readonly string[] AeadCiphers =
    [
        "aes128gcm8", "aes192gcm8", "aes256gcm8", "aes128gcm12", "aes192gcm12", "aes256gcm12",
        "aes128gcm16", "aes192gcm16", "aes256gcm16",
        "aes128ccm8", "aes192ccm8", "aes256ccm8", "aes128ccm12", "aes192ccm12", "aes256ccm12",
        "aes128ccm16", "aes192ccm16", "aes256ccm16",
        "chacha20poly1305",
        "camellia128ccm8", "camellia192ccm8", "camellia256ccm8", "camellia128ccm12", "camellia192ccm12",
        "camellia256ccm12", "camellia128ccm16", "camellia192ccm16", "camellia256ccm16",
    ];

    public static readonly string[] Integrity = ["md5", "md5_128", "sha1", "sha1_160", "sha256", "sha384", "sha512", "aesxcbc", "aescmac"];

    public static readonly string[] Prfs = ["prfmd5", "prfsha1", "prfsha256", "prfsha384", "prfsha512", "prfaesxcbc", "prfaescmac"];

    public static readonly string[] KeyExchanges =
    [
        "modp768", "modp1024", "modp1536", "modp2048", "modp3072", "modp4096", "modp6144", "modp8192",
        "ecp256", "ecp384", "ecp521", "modp1024s160", "modp2048s224", "modp2048s256",
        "ecp192", "ecp224", "ecp224bp", "ecp256bp", "ecp384bp", "ecp512bp", "curve25519", "curve448",
    ];

    /// <summary>
    /// One row per cipher (used for IKE and ESP in the same row); integrity algorithms, PRFs and
    /// groups rotate through the rows so each appears at least once, with ESP's integrity offset
    /// from IKE's; the initiator alternates. Two last rows carry ESP NULL encryption and single DES.
    /// </summary>
    public static IReadOnlyList<AlgorithmMatrixCase> All { get; } = Build();

    private static List<AlgorithmMatrixCase> Build()
    {
        var rows = new List<AlgorithmMatrixCase>();
        int classic = 0;
        foreach (var cipher in ClassicCiphers.Concat(AeadCiphers))
        {
            int i = rows.Count;
            bool aead = AeadCiphers.Contains(cipher);
            string prf = Prfs[i % Prfs.Length];
            string ke = KeyExchanges[i % KeyExchanges.Length];
            string[] ike, esp;
            if (aead)
            {
                ike = [cipher, prf, ke];
                esp = [cipher];
            }
            else
            {
                ike = [cipher, Integrity[classic % Integrity.Length], prf, ke];
                esp = [cipher, Integrity[(classic + 4) % Integrity.Length]];
                classic++;
            }
            rows.Add(new AlgorithmMatrixCase(i, ike, esp, LeftInitiates: i % 2 == 0));
        }
        rows.Add(new AlgorithmMatrixCase(rows.Count, ["aes128", "sha256", "prfsha256", "ecp256"], ["null", "sha256"], LeftInitiates: rows.Count % 2 == 0));
        rows.Add(new AlgorithmMatrixCase(rows.Count, ["des", "sha1", "prfsha1", "modp2048"], ["des", "sha1"], LeftInitiates: rows.Count % 2 == 0));
        return rows;
    }

    public static AlgorithmMatrixCase ByName(string name) => All.Single(c => c.Name == name);

    public static IEnumerable<object[]> Names => All.Select(c => new object[] { new AlgorithmMatrixRow(c.Name) });
}

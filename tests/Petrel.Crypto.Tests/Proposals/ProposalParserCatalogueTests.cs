using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;

namespace Petrel.Crypto.Tests.Proposals;

/// <summary>Parser behaviour for the complete catalogue (issue 3).</summary>
public class ProposalParserCatalogueTests
{
    [Theory]
    [InlineData("aes128ctr-camellia192ctr-sha256_96-aesxcbc-aescmac-modp2048s256", SecurityProtocol.Esp,
        "ESP:AES_CTR_128/CAMELLIA_CTR_192/HMAC_SHA2_256_96/AES_XCBC_96/AES_CMAC_96/MODP_2048_256/NO_EXT_SEQ")]
    [InlineData("camellia256ccm128-prfaescmac-ecp256bp-curve448", SecurityProtocol.Ike,
        "IKE:CAMELLIA_CCM_16_256/PRF_AES128_CMAC/ECP_256_BP/CURVE_448")]
    [InlineData("aes128-aesxcbc-modp2048", SecurityProtocol.Ike, "IKE:AES_CBC_128/PRF_AES128_XCBC/AES_XCBC_96/MODP_2048")]
    [InlineData("null_aes256gmac", SecurityProtocol.Esp, "ESP:NULL_AES_GMAC_256/NO_EXT_SEQ")]
    [InlineData("blowfish-cast128-serpent256-twofish-3des-md5_128-sha1_160-x448", SecurityProtocol.Esp,
        "ESP:BLOWFISH_CBC_128/CAST_CBC_128/SERPENT_CBC_256/TWOFISH_CBC_128/3DES_CBC/HMAC_MD5_128/HMAC_SHA1_160/CURVE_448/NO_EXT_SEQ")]
    public void Full_catalogue_keywords_parse(string text, SecurityProtocol protocol, string expected)
    {
        Assert.Equal(expected, ProposalParser.Parse(text, protocol)[0].ToString());
    }

    [Fact]
    public void Ml_kem_as_rfc9370_additional_key_exchange()
    {
        var p = ProposalParser.Parse("aes256gcm16-prfsha384-x25519-ke1_mlkem768-ke2_mlkem1024-ke2_none", SecurityProtocol.Ike)[0];
        Assert.Equal("IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE_25519/KE1_ML_KEM_768/KE2_ML_KEM_1024/KE2_KE_NONE", p.ToString());
        Assert.Contains(new Transform(TransformType.AdditionalKeyExchange1, 36), p.Transforms);
        Assert.Contains(new Transform(TransformType.AdditionalKeyExchange2, 0), p.Transforms);

        var e = Assert.Throws<ProposalException>(() => ProposalParser.Parse("aes128-sha256-x25519-ke1_mlkem769", SecurityProtocol.Ike));
        Assert.Equal("ke1_mlkem769", e.Token);
    }

    [Fact]
    public void Additional_key_exchanges_are_selected_per_type_with_none_optional()
    {
        var ours = ProposalParser.Parse("aes256gcm16-prfsha384-x25519-ke1_mlkem768-ke1_none", SecurityProtocol.Ike);
        var withKem = ProposalParser.Parse("aes256gcm16-prfsha384-x25519-ke1_mlkem768", SecurityProtocol.Ike);
        var without = ProposalParser.Parse("aes256gcm16-prfsha384-x25519", SecurityProtocol.Ike);
        Assert.Equal("IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE_25519/KE1_ML_KEM_768", ProposalSelector.Select(ours, withKem)!.ToString());
        Assert.Equal("IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/CURVE_25519", ProposalSelector.Select(ours, without)!.ToString());
        Assert.Null(ProposalSelector.Select(withKem, without));
    }

    [Fact]
    public void Aes_gmac_integrity_is_ah_only()
    {
        // RFC 4543 §4: AUTH_AES_*_GMAC is for AH; ESP uses NULL_AES_GMAC (an encryption transform) instead.
        var ah = ProposalParser.Parse("aes256gmac", SecurityProtocol.Ah);
        Assert.Equal("AH:AES_256_GMAC/NO_EXT_SEQ", Assert.Single(ah).ToString());
        var e = Assert.Throws<ProposalException>(() => ProposalParser.Parse("aes128-aes128gmac", SecurityProtocol.Esp));
        Assert.Equal("aes128gmac", e.Token);
    }

    [Fact]
    public void Null_and_gmac_ciphers_are_esp_only()
    {
        Assert.Throws<ProposalException>(() => ProposalParser.Parse("null-sha256-modp2048", SecurityProtocol.Ike));
        Assert.Throws<ProposalException>(() => ProposalParser.Parse("null_aes128gmac-prfsha256-modp2048", SecurityProtocol.Ike));
    }

    [Fact]
    public void Ikev1_numbers_are_recorded()
    {
        var aes = AlgorithmCatalog.FindKeyword("aes256")!;
        Assert.Equal(7, aes.IkeV1Id);        // RFC 3602 / RFC 2409 App. A Phase 1 AES-CBC
        Assert.Equal(12, aes.IkeV1Phase2Id); // ESP_AES
        var sha = AlgorithmCatalog.FindKeyword("sha256")!;
        Assert.Equal(4, sha.IkeV1Id);        // Phase 1 SHA2-256
        Assert.Equal(5, sha.IkeV1Phase2Id);  // HMAC-SHA2-256 authentication algorithm
        Assert.Equal(23, AlgorithmCatalog.FindKeyword("null_aes128gmac")!.IkeV1Phase2Id);
        Assert.Equal(0, AlgorithmCatalog.FindKeyword("curve25519")!.IkeV1Id);
    }

    [Fact]
    public void Describe_names_additional_key_exchanges_and_none()
    {
        Assert.Equal("KE3_ML_KEM_512", AlgorithmCatalog.Describe(new Transform(TransformType.AdditionalKeyExchange3, 35)));
        Assert.Equal("KE_NONE", AlgorithmCatalog.Describe(new Transform(TransformType.KeyExchange, 0)));
        Assert.Equal("ADDKE1_999", AlgorithmCatalog.Describe(new Transform(TransformType.AdditionalKeyExchange1, 999)));
    }
}

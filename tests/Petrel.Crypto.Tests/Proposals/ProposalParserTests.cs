using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;

namespace Petrel.Crypto.Tests.Proposals;

public class ProposalParserTests
{
    private static string Show(IReadOnlyList<Proposal> list) => string.Join(", ", list);

    [Fact]
    public void Classic_ike_proposal_implies_prf_from_integrity()
    {
        var p = ProposalParser.Parse("aes256-sha512-modp4096", SecurityProtocol.Ike);
        Assert.Equal("IKE:AES_CBC_256/PRF_HMAC_SHA2_512/HMAC_SHA2_512_256/MODP_4096", Show(p));
    }

    [Fact]
    public void Explicit_prf_overrides_the_implied_one()
    {
        var p = ProposalParser.Parse("aes128-sha256-prfsha384-ecp256", SecurityProtocol.Ike);
        Assert.Equal("IKE:AES_CBC_128/PRF_HMAC_SHA2_384/HMAC_SHA2_256_128/ECP_256", Show(p));
    }

    [Fact]
    public void Aead_ike_proposal_with_prf_has_no_integrity()
    {
        var p = ProposalParser.Parse("aes128gcm16-prfsha256-ecp256", SecurityProtocol.Ike);
        Assert.Equal("IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256", Show(p));
        Assert.Equal(new Transform(TransformType.Encryption, 20, 128), p[0].Transforms[0]);
    }

    [Fact]
    public void Aead_ike_proposal_without_prf_is_refused_like_strongswan()
    {
        // strongSwan 5.9.8: "a PRF algorithm is mandatory in IKE proposals".
        var e = Assert.Throws<ProposalException>(() => ProposalParser.Parse("aes128gcm16-ecp256", SecurityProtocol.Ike));
        Assert.Contains("PRF", e.Message);
        Assert.Equal("aes128gcm16-ecp256", e.Token);
    }

    [Fact]
    public void Integrity_keyword_with_aead_only_implies_the_prf()
    {
        // The common strongSwan idiom "aes256gcm16-sha384-ecp384": sha384 gives the PRF; no integrity is proposed.
        var p = ProposalParser.Parse("aes256gcm16-sha384-ecp384", SecurityProtocol.Ike);
        Assert.Equal("IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384", Show(p));
    }

    [Fact]
    public void Chacha_x25519_proposal_from_the_spec()
    {
        var p = ProposalParser.Parse("chacha20poly1305-prfsha256-x25519", SecurityProtocol.Ike);
        Assert.Equal("IKE:CHACHA20_POLY1305/PRF_HMAC_SHA2_256/CURVE_25519", Show(p));
        Assert.Equal(new Transform(TransformType.Encryption, 28), p[0].Transforms[0]);
    }

    [Fact]
    public void Unknown_keyword_names_token_and_proposal()
    {
        var e = Assert.Throws<ProposalException>(() => ProposalParser.Parse("aes129-sha256-modp2048", SecurityProtocol.Ike));
        Assert.Equal("unknown algorithm 'aes129' in proposal 'aes129-sha256-modp2048'", e.Message);
        Assert.Equal("aes129", e.Token);
    }

    [Fact]
    public void Mixing_aead_and_classic_ciphers_is_refused()
    {
        var e = Assert.Throws<ProposalException>(() => ProposalParser.Parse("aes128-aes128gcm16-sha256", SecurityProtocol.Esp));
        Assert.Contains("AEAD", e.Message);
    }

    [Fact]
    public void Classic_cipher_without_integrity_is_refused()
    {
        Assert.Throws<ProposalException>(() => ProposalParser.Parse("aes128", SecurityProtocol.Esp));
        Assert.Throws<ProposalException>(() => ProposalParser.Parse("aes128-prfsha256-modp2048", SecurityProtocol.Ike));
    }

    [Fact]
    public void Ike_proposal_needs_a_key_exchange()
    {
        var e = Assert.Throws<ProposalException>(() => ProposalParser.Parse("aes128-sha256", SecurityProtocol.Ike));
        Assert.Contains("key exchange", e.Message);
    }

    [Fact]
    public void Esp_proposal_defaults_to_no_esn_and_keeps_pfs_group()
    {
        Assert.Equal("ESP:AES_GCM_16_128/NO_EXT_SEQ", Show(ProposalParser.Parse("aes128gcm16", SecurityProtocol.Esp)));
        Assert.Equal("ESP:AES_CBC_128/HMAC_SHA2_256_128/MODP_2048/EXT_SEQ",
            Show(ProposalParser.Parse("aes128-sha256-modp2048-esn", SecurityProtocol.Esp)));
        Assert.Equal("ESP:AES_CBC_128/HMAC_SHA2_256_128/EXT_SEQ/NO_EXT_SEQ",
            Show(ProposalParser.Parse("aes128-sha256-esn-noesn", SecurityProtocol.Esp)));
    }

    [Fact]
    public void Prf_in_esp_is_ignored_and_esn_in_ike_is_refused_by_name()
    {
        // strongSwan 5.9.8 loads "aes128-sha256-prfsha256" as an ESP proposal (checked in the lab).
        Assert.Equal("ESP:AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ",
            ProposalParser.Parse("aes128-sha256-prfsha256", SecurityProtocol.Esp)[0].ToString());
        var e2 = Assert.Throws<ProposalException>(() => ProposalParser.Parse("aes128-sha256-modp2048-esn", SecurityProtocol.Ike));
        Assert.Equal("esn", e2.Token);
    }

    [Fact]
    public void Ah_takes_integrity_only()
    {
        Assert.Equal("AH:HMAC_SHA2_256_128/NO_EXT_SEQ", Show(ProposalParser.Parse("sha256", SecurityProtocol.Ah)));
        Assert.Throws<ProposalException>(() => ProposalParser.Parse("aes128-sha256", SecurityProtocol.Ah));
    }

    [Fact]
    public void Several_algorithms_of_a_type_keep_their_order_and_duplicates_collapse()
    {
        var p = ProposalParser.Parse("aes256gcm16-aes192gcm16-prfsha384-prfsha256-ecp384-modp3072", SecurityProtocol.Ike);
        var again = ProposalParser.Parse("aes256gcm16-prfsha384-ecp384-aes192gcm16-prfsha256-modp3072-aes256gcm128", SecurityProtocol.Ike);
        Assert.Equal(Show(p), Show(again));
        Assert.Equal("IKE:AES_GCM_16_256/AES_GCM_16_192/PRF_HMAC_SHA2_384/PRF_HMAC_SHA2_256/ECP_384/MODP_3072", Show(p));
    }

    [Fact]
    public void List_with_bang_is_strict_and_keywords_are_case_insensitive()
    {
        var list = ProposalParser.ParseList(" AES128GCM16-PRFSHA256-ECP256 , aes256-sha512-modp4096! ", SecurityProtocol.Ike);
        Assert.True(list.Strict);
        Assert.Equal(2, list.Proposals.Count);
        Assert.False(ProposalParser.ParseList("aes256-sha512-modp4096", SecurityProtocol.Ike).Strict);
    }

    [Fact]
    public void Default_expands_in_place()
    {
        var list = ProposalParser.Parse("aes256-sha512-modp4096,default", SecurityProtocol.Ike);
        Assert.Equal(1 + ProposalParser.Default(SecurityProtocol.Ike).Count, list.Count);
        Assert.Equal("IKE:AES_CBC_256/PRF_HMAC_SHA2_512/HMAC_SHA2_512_256/MODP_4096", list[0].ToString());
    }

    [Theory]
    [InlineData(SecurityProtocol.Ike)]
    [InlineData(SecurityProtocol.Esp)]
    [InlineData(SecurityProtocol.Ah)]
    public void Defaults_contain_no_weak_algorithm(SecurityProtocol protocol)
    {
        foreach (var p in ProposalParser.Default(protocol))
            foreach (var t in p.Transforms)
                Assert.False(AlgorithmCatalog.Get(t).Weak, $"{t} in default {protocol}");
    }

    [Fact]
    public void Defaults_match_strongswan_5_9_8_without_weak_algorithms()
    {
        // strongSwan 5.9.8 in the lab logged (weak 3DES_CBC, HMAC_SHA1_96, PRF_HMAC_SHA1 removed here):
        Assert.Equal(
            "ESP:AES_GCM_16_128/AES_GCM_16_192/AES_GCM_16_256/NO_EXT_SEQ, " +
            "ESP:AES_CBC_128/AES_CBC_192/AES_CBC_256/HMAC_SHA2_256_128/HMAC_SHA2_384_192/HMAC_SHA2_512_256/AES_XCBC_96/NO_EXT_SEQ",
            Show(ProposalParser.Default(SecurityProtocol.Esp)));
        Assert.Equal("AH:HMAC_SHA2_256_128/HMAC_SHA2_384_192/HMAC_SHA2_512_256/AES_XCBC_96/NO_EXT_SEQ",
            Show(ProposalParser.Default(SecurityProtocol.Ah)));
        const string ke = "CURVE_25519/CURVE_448/ECP_256/ECP_384/ECP_521/ECP_256_BP/ECP_384_BP/ECP_512_BP/MODP_3072/MODP_4096/MODP_6144/MODP_8192/MODP_2048";
        const string prf = "PRF_HMAC_SHA2_256/PRF_HMAC_SHA2_384/PRF_HMAC_SHA2_512/PRF_AES128_XCBC/PRF_AES128_CMAC";
        var ike = ProposalParser.Default(SecurityProtocol.Ike);
        Assert.Equal(
            "IKE:AES_CBC_128/AES_CBC_192/AES_CBC_256/AES_CTR_128/AES_CTR_192/AES_CTR_256/CAMELLIA_CBC_128/CAMELLIA_CBC_192/CAMELLIA_CBC_256/" +
            "CAMELLIA_CTR_128/CAMELLIA_CTR_192/CAMELLIA_CTR_256/" + prf + "/HMAC_SHA2_256_128/HMAC_SHA2_384_192/HMAC_SHA2_512_256/AES_XCBC_96/AES_CMAC_96/" + ke,
            ike[0].ToString());
        Assert.StartsWith("IKE:AES_GCM_16_128/AES_GCM_16_192/AES_GCM_16_256/AES_CCM_16_128/AES_CCM_16_192/AES_CCM_16_256/CHACHA20_POLY1305", ike[1].ToString());
        Assert.EndsWith("CAMELLIA_CCM_12_256/" + prf + "/" + ke, ike[1].ToString());
        Assert.Equal(28, ike[1].OfType(TransformType.Encryption).Count());
    }

    [Theory]
    [InlineData("")]
    [InlineData("!")]
    [InlineData("aes128-sha256-modp2048,,aes256-sha256-modp2048")]
    [InlineData("aes128--sha256-modp2048")]
    public void Empty_parts_are_refused(string text)
    {
        Assert.Throws<ProposalException>(() => ProposalParser.Parse(text, SecurityProtocol.Ike));
    }
}

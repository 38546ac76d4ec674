using Petrel.Crypto.Proposals;

namespace Petrel.Crypto.Tests.Proposals;

public class ProposalDescriberTests
{
    [Fact]
    public void Explains_each_algorithm_with_ids_and_sizes()
    {
        var d = ProposalDescriber.Describe("aes256gcm16-prfsha384-ecp384");
        Assert.Equal(SecurityProtocol.Ike, d.Protocol);
        var text = d.ToString();
        Assert.Contains("IKE proposal 1 'aes256gcm16-prfsha384-ecp384': IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384", text);
        Assert.Contains("AES_GCM_16_256", text);
        Assert.Contains("IKEv2 type 1 id 20 keylen 256; AEAD, 256-bit key, 128-bit ICV, 64-bit IV", text);
        Assert.Contains("IKEv2 type 4 id 20; 96-byte public value", text);
        Assert.Empty(d.Warnings);
    }

    [Fact]
    public void Warns_about_each_weak_choice()
    {
        var d = ProposalDescriber.Describe("3des-md5-modp1024,aes128-sha1-modp1536");
        Assert.Equal(2, d.Proposals.Count);
        Assert.Contains(d.Warnings, w => w.Contains("3DES_CBC") && w.Contains("64-bit block"));
        Assert.Contains(d.Warnings, w => w.Contains("HMAC_MD5_96") && w.Contains("MD5"));
        Assert.Contains(d.Warnings, w => w.Contains("PRF_HMAC_MD5"));
        Assert.Contains(d.Warnings, w => w.Contains("MODP_1024"));
        Assert.Contains(d.Warnings, w => w.StartsWith("proposal 2:") && w.Contains("SHA-1"));
        Assert.Contains(d.Warnings, w => w.StartsWith("proposal 2:") && w.Contains("MODP_1536"));
        Assert.Contains("warning: proposal 1: 3DES_CBC", d.ToString());
    }

    [Fact]
    public void Notes_strongswan_rules_that_changed_the_proposal()
    {
        var d = ProposalDescriber.Describe("aes256gcm16-sha384-ecp384");
        Assert.Contains(d.Lines, l => l.Contains("PRF follows the integrity"));
        Assert.Contains(d.Lines, l => l.Contains("integrity keywords are dropped with an AEAD cipher"));
    }

    [Fact]
    public void Falls_back_to_esp_and_notes_pfs_and_esn()
    {
        var d = ProposalDescriber.Describe("aes128-sha256-modp2048");
        Assert.Equal(SecurityProtocol.Ike, d.Protocol); // valid as IKE too
        var esp = ProposalDescriber.Describe("aes128gcm16-ecp256");
        Assert.Equal(SecurityProtocol.Esp, esp.Protocol); // an AEAD IKE proposal needs a PRF, so this is ESP
        Assert.Contains(esp.Lines, l => l.Contains("key exchange (PFS)"));
        Assert.Contains(esp.Lines, l => l.Contains("NO_EXT_SEQ"));
    }

    [Fact]
    public void Null_encryption_warns_about_confidentiality()
    {
        var d = ProposalDescriber.Describe("null-sha256", SecurityProtocol.Esp);
        Assert.Contains(d.Warnings, w => w.Contains("no confidentiality"));
    }

    [Fact]
    public void Default_and_strict_are_explained()
    {
        var d = ProposalDescriber.Describe("aes256-sha512-modp4096,default!", SecurityProtocol.Ike);
        Assert.True(d.Strict);
        Assert.Contains(d.Lines, l => l.Contains("from 'default'"));
        Assert.Contains(d.Lines, l => l.Contains("'!' (strict)"));
        Assert.Empty(d.Warnings);
    }

    [Fact]
    public void Bad_token_is_reported_from_the_ike_attempt()
    {
        var e = Assert.Throws<ProposalException>(() => ProposalDescriber.Describe("aes129-sha256-modp2048"));
        Assert.Equal("aes129", e.Token);
    }
}

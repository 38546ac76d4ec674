using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;

namespace Petrel.Crypto.Tests.Algorithms;

public class AlgorithmCatalogTests
{
    [Theory]
    [InlineData("aes128", "AES_CBC_128", TransformType.Encryption, 12, 128)]
    [InlineData("aes", "AES_CBC_128", TransformType.Encryption, 12, 128)]
    [InlineData("aes256gcm128", "AES_GCM_16_256", TransformType.Encryption, 20, 256)]
    [InlineData("aes192gcm12", "AES_GCM_12_192", TransformType.Encryption, 19, 192)]
    [InlineData("aes128gcm64", "AES_GCM_8_128", TransformType.Encryption, 18, 128)]
    [InlineData("chacha20poly1305", "CHACHA20_POLY1305", TransformType.Encryption, 28, 0)]
    [InlineData("sha", "HMAC_SHA1_96", TransformType.Integrity, 2, 0)]
    [InlineData("sha2_256", "HMAC_SHA2_256_128", TransformType.Integrity, 12, 0)]
    [InlineData("sha384", "HMAC_SHA2_384_192", TransformType.Integrity, 13, 0)]
    [InlineData("sha512", "HMAC_SHA2_512_256", TransformType.Integrity, 14, 0)]
    [InlineData("prfsha1", "PRF_HMAC_SHA1", TransformType.Prf, 2, 0)]
    [InlineData("prfsha512", "PRF_HMAC_SHA2_512", TransformType.Prf, 7, 0)]
    [InlineData("modp2048", "MODP_2048", TransformType.KeyExchange, 14, 0)]
    [InlineData("ecp521", "ECP_521", TransformType.KeyExchange, 21, 0)]
    [InlineData("x25519", "CURVE_25519", TransformType.KeyExchange, 31, 0)]
    [InlineData("esn", "EXT_SEQ", TransformType.ExtendedSequenceNumbers, 1, 0)]
    public void Keywords_map_to_iana_ids_and_strongswan_names(string keyword, string name, TransformType type, int id, int bits)
    {
        var e = AlgorithmCatalog.FindKeyword(keyword);
        Assert.NotNull(e);
        Assert.Equal(name, e.Name);
        Assert.Equal(new Transform(type, (ushort)id, (ushort)bits), e.Transform);
        Assert.True(AlgorithmCatalog.TryFind(e.Transform, out var back));
        Assert.Same(e, back);
        Assert.Equal(name, AlgorithmCatalog.Describe(e.Transform));
    }

    [Fact]
    public void Every_entry_has_a_primitive_matching_its_type()
    {
        foreach (var e in AlgorithmCatalog.All)
        {
            Assert.True(e.Implemented, e.Keyword);
            switch (e.Type)
            {
                case TransformType.Encryption: Assert.NotNull(e.Encryption); break;
                case TransformType.Integrity: Assert.NotNull(e.Integrity); break;
                case TransformType.Prf: Assert.NotNull(e.Prf); break;
                case TransformType.KeyExchange: Assert.NotNull(e.KeyExchange); Assert.Equal(e.Id, e.KeyExchange!.Id); break;
            }
            Assert.True(e.UsableForIke || e.UsableForEsp || e.UsableForAh, e.Keyword);
        }
    }

    [Fact]
    public void Unknown_transforms_are_described_by_type_and_number()
    {
        Assert.Equal("ENCR_999", AlgorithmCatalog.Describe(new Transform(TransformType.Encryption, 999)));
        Assert.Equal("ENCR_12_100", AlgorithmCatalog.Describe(new Transform(TransformType.Encryption, 12, 100)));
        Assert.Null(AlgorithmCatalog.FindKeyword("aes129"));
    }

    [Theory]
    [InlineData("sha1", true)]
    [InlineData("prfsha1", true)]
    [InlineData("modp1024", true)]
    [InlineData("modp1536", true)]
    [InlineData("modp2048", false)]
    [InlineData("aes128", false)]
    public void Weak_flags(string keyword, bool weak) => Assert.Equal(weak, AlgorithmCatalog.FindKeyword(keyword)!.Weak);

    [Theory]
    [InlineData("aes128gcm16", 20, 8, 4, 16, 0)]
    [InlineData("aes256ccm8", 35, 8, 4, 8, 0)]
    [InlineData("aes192ctr", 28, 8, 4, 0, 0)]
    [InlineData("3des", 24, 8, 8, 0, 0)]
    [InlineData("blowfish256", 32, 8, 8, 0, 0)]
    [InlineData("sha384", 48, 0, 0, 24, 0)]
    [InlineData("aesxcbc", 16, 0, 0, 12, 0)]
    [InlineData("prfaescmac", 16, 0, 0, 0, 0)]
    [InlineData("ecp521", 0, 0, 0, 0, 132)]
    [InlineData("mlkem768", 0, 0, 0, 0, 1184)]
    public void Entries_report_their_sizes(string keyword, int key, int iv, int block, int icv, int ke)
    {
        var e = AlgorithmCatalog.FindKeyword(keyword)!;
        Assert.Equal((key, iv, block, icv, ke), (e.KeyBytes, e.IvBytes, e.BlockBytes, e.IcvBytes, e.PublicValueBytes));
    }
}

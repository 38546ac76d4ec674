using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Keying;
using Petrel.Ike.Tests.Wire;
using static Petrel.Ike.Tests.Keying.HmacSha256Reference;

namespace Petrel.Ike.Tests.Keying;

public class KeyDerivationTests
{
    private static readonly byte[] Ni = Hex.Parse("c1d2e3f40102030405060708090a0b0c0d0e0f101112131415161718191a1b1c");
    private static readonly byte[] Nr = Hex.Parse("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3");
    private static readonly byte[] SharedSecret = Enumerable.Range(0, 64).Select(i => (byte)(i * 7 + 3)).ToArray();
    private const ulong SpiI = 0x0011223344556677, SpiR = 0x8899aabbccddeeff;
    private static readonly byte[] Spis = Hex.Parse("0011223344556677 8899aabbccddeeff");

    private static IkeCipherSuite Suite(params Transform[] transforms)
    {
        Assert.True(IkeCipherSuite.TryCreate(new Proposal(SecurityProtocol.Ike, transforms), out var suite, out string error), error);
        return suite!;
    }

    private static readonly Transform Aes256Cbc = new(TransformType.Encryption, 12, 256);
    private static readonly Transform Aes256Gcm16 = new(TransformType.Encryption, 20, 256);
    private static readonly Transform HmacSha256_128 = new(TransformType.Integrity, 12);
    private static readonly Transform PrfHmacSha256 = new(TransformType.Prf, 5);
    private static readonly Transform Ecp256 = new(TransformType.KeyExchange, 19);

    [Fact]
    public void Ike_sa_keys_match_a_direct_hmac_sha256_computation()
    {
        var suite = Suite(Aes256Cbc, HmacSha256_128, PrfHmacSha256, Ecp256);
        Assert.Equal(32, suite.EncryptionKeyLength);
        Assert.Equal(32, suite.IntegrityKeyLength);
        Assert.False(suite.FixedKeyPrf);

        // §2.14: SKEYSEED = prf(Ni | Nr, g^ir); keys = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) in the order d, ai, ar, ei, er, pi, pr.
        var skeyseed = Prf(Concat(Ni, Nr), SharedSecret);
        Assert.Equal(skeyseed, IkeKeyDerivation.ComputeSkeyseed(suite.Prf, false, Ni, Nr, SharedSecret));
        var keymat = PrfPlus(skeyseed, Concat(Ni, Nr, Spis), 7 * 32);

        using var keys = suite.DeriveKeys(SharedSecret, Ni, Nr, SpiI, SpiR);
        Assert.Equal(keymat[0..32], keys.SkD);
        Assert.Equal(keymat[32..64], keys.SkAi);
        Assert.Equal(keymat[64..96], keys.SkAr);
        Assert.Equal(keymat[96..128], keys.SkEi);
        Assert.Equal(keymat[128..160], keys.SkEr);
        Assert.Equal(keymat[160..192], keys.SkPi);
        Assert.Equal(keymat[192..224], keys.SkPr);
    }

    [Fact]
    public void Aead_suites_have_no_integrity_keys_and_salted_encryption_keys()
    {
        var suite = Suite(Aes256Gcm16, PrfHmacSha256, Ecp256);
        Assert.Null(suite.Integrity);
        Assert.Equal(36, suite.EncryptionKeyLength); // AES-256 key + 4-byte salt (RFC 5282 §7.1)

        var keymat = PrfPlus(Prf(Concat(Ni, Nr), SharedSecret), Concat(Ni, Nr, Spis), 32 + 2 * 36 + 2 * 32);
        using var keys = suite.DeriveKeys(SharedSecret, Ni, Nr, SpiI, SpiR);
        Assert.Equal(keymat[0..32], keys.SkD);
        Assert.Empty(keys.SkAi);
        Assert.Empty(keys.SkAr);
        Assert.Equal(keymat[32..68], keys.SkEi);
        Assert.Equal(keymat[68..104], keys.SkEr);
        Assert.Equal(keymat[104..136], keys.SkPi);
        Assert.Equal(keymat[136..168], keys.SkPr);
    }

    [Fact]
    public void Xcbc_and_cmac_prfs_key_skeyseed_with_64_bits_of_each_nonce()
    {
        // §2.14: for AES-XCBC-PRF-128 and AES-CMAC-PRF-128 only the first 64 bits of Ni and of Nr form the key.
        var prf = new RecordingPrf();
        IkeKeyDerivation.ComputeSkeyseed(prf, fixedKeyPrf: true, Ni, Nr, SharedSecret);
        Assert.Equal(Concat(Ni[..8], Nr[..8]), Assert.Single(prf.Keys));

        prf.Keys.Clear();
        IkeKeyDerivation.ComputeSkeyseed(prf, fixedKeyPrf: false, Ni, Nr, SharedSecret);
        Assert.Equal(Concat(Ni, Nr), Assert.Single(prf.Keys));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void Suite_flags_xcbc_and_cmac_as_fixed_key_prfs(ushort prfId)
    {
        var prf = new Transform(TransformType.Prf, prfId);
        Assert.True(AlgorithmCatalog.TryFind(prf, out _), $"PRF {prfId} in the catalogue");
        var suite = Suite(Aes256Cbc, HmacSha256_128, prf, Ecp256);
        Assert.True(suite.FixedKeyPrf);
        // And the derivation runs with it: SKEYSEED is the 16-byte AES-based PRF output.
        using var keys = suite.DeriveKeys(SharedSecret, Ni, Nr, SpiI, SpiR);
        Assert.Equal(16, keys.SkD.Length);
    }

    [Fact]
    public void Rekeyed_skeyseed_uses_the_old_sk_d_and_new_secret_and_nonces()
    {
        var suite = Suite(Aes256Cbc, HmacSha256_128, PrfHmacSha256, Ecp256);
        var oldSkD = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
        // §2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr).
        var expectedSeed = Prf(oldSkD, SharedSecret, Ni, Nr);
        Assert.Equal(expectedSeed, IkeKeyDerivation.ComputeRekeyedSkeyseed(suite.Prf, oldSkD, SharedSecret, Ni, Nr));

        const ulong newSpiI = 0x1111111111111111, newSpiR = 0x2222222222222222;
        var keymat = PrfPlus(expectedSeed, Concat(Ni, Nr, Hex.Parse("1111111111111111 2222222222222222")), 7 * 32);
        using var keys = suite.DeriveRekeyedKeys(suite.Prf, oldSkD, SharedSecret, Ni, Nr, newSpiI, newSpiR);
        Assert.Equal(keymat[0..32], keys.SkD);
        Assert.Equal(keymat[192..224], keys.SkPr);
    }

    [Fact]
    public void Child_sa_keymat_is_split_initiator_to_responder_first()
    {
        var suite = Suite(Aes256Cbc, HmacSha256_128, PrfHmacSha256, Ecp256);
        var skD = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

        // §2.17 without PFS: KEYMAT = prf+(SK_d, Ni | Nr); AES-128-GCM ESP: 20-byte keys, no integrity.
        var keymat = PrfPlus(skD, Concat(Ni, Nr), 40);
        using (var keys = IkeKeyDerivation.DeriveChildSaKeys(suite.Prf, skD, default, Ni, Nr, 20, 0))
        {
            Assert.Equal(keymat[0..20], keys.EncryptionInitiatorToResponder);
            Assert.Empty(keys.IntegrityInitiatorToResponder);
            Assert.Equal(keymat[20..40], keys.EncryptionResponderToInitiator);
            Assert.Empty(keys.IntegrityResponderToInitiator);
        }

        // With PFS: KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr); AES-128-CBC + HMAC-SHA2-256-128: encr then integ per direction.
        var pfs = PrfPlus(skD, Concat(SharedSecret, Ni, Nr), 2 * (16 + 32));
        using (var keys = IkeKeyDerivation.DeriveChildSaKeys(suite.Prf, skD, SharedSecret, Ni, Nr, 16, 32))
        {
            Assert.Equal(pfs[0..16], keys.EncryptionInitiatorToResponder);
            Assert.Equal(pfs[16..48], keys.IntegrityInitiatorToResponder);
            Assert.Equal(pfs[48..64], keys.EncryptionResponderToInitiator);
            Assert.Equal(pfs[64..96], keys.IntegrityResponderToInitiator);
        }
    }

    [Fact]
    public void Keys_are_zeroed_on_dispose()
    {
        var suite = Suite(Aes256Cbc, HmacSha256_128, PrfHmacSha256, Ecp256);
        var keys = suite.DeriveKeys(SharedSecret, Ni, Nr, SpiI, SpiR);
        var all = new[] { keys.SkD, keys.SkAi, keys.SkAr, keys.SkEi, keys.SkEr, keys.SkPi, keys.SkPr };
        Assert.All(all, k => Assert.Contains(k, b => b != 0));
        keys.Dispose();
        Assert.All(all, k => Assert.All(k, b => Assert.Equal(0, b)));
    }

    [Fact]
    public void Unknown_or_incomplete_proposals_are_refused_with_a_reason()
    {
        Assert.False(IkeCipherSuite.TryCreate(new Proposal(SecurityProtocol.Ike, [Aes256Cbc, PrfHmacSha256, Ecp256]), out _, out string noInteg));
        Assert.Contains("integrity", noInteg);
        Assert.False(IkeCipherSuite.TryCreate(new Proposal(SecurityProtocol.Ike, [Aes256Cbc, HmacSha256_128, Ecp256]), out _, out string noPrf));
        Assert.Contains("PRF", noPrf);
        Assert.False(IkeCipherSuite.TryCreate(new Proposal(SecurityProtocol.Ike, [new Transform(TransformType.Encryption, 999), PrfHmacSha256]), out _, out string unknown));
        Assert.Contains("not supported", unknown);
    }

    [Fact]
    public void Ciphers_built_from_the_keys_talk_to_each_other_in_each_direction()
    {
        var suite = Suite(Aes256Cbc, HmacSha256_128, PrfHmacSha256, Ecp256);
        using var keys = suite.DeriveKeys(SharedSecret, Ni, Nr, SpiI, SpiR);
        var random = new SeededRandom(3);
        using var initiatorSends = suite.CreateCipher(keys, fromInitiator: true, random);
        using var responderReceives = suite.CreateCipher(keys, fromInitiator: true, random);
        using var responderSends = suite.CreateCipher(keys, fromInitiator: false, random);

        var m = new Petrel.Ike.Wire.IkeMessage { InitiatorSpi = SpiI, ResponderSpi = SpiR, ExchangeType = Petrel.Ike.Wire.ExchangeType.Informational, IsInitiator = true, MessageId = 2 };
        var bytes = m.Encode(initiatorSends);
        Assert.Equal(Petrel.Ike.Wire.IkeDecodeStatus.Success, Petrel.Ike.Wire.IkeMessage.TryDecode(bytes, responderReceives, out _, out _));
        Assert.Equal(Petrel.Ike.Wire.IkeDecodeStatus.IntegrityCheckFailed, Petrel.Ike.Wire.IkeMessage.TryDecode(bytes, responderSends, out _, out _));
    }
}

using System.Buffers.Binary;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Primitives;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Keying;
using Petrel.Ike.Tests.Wire;
using Petrel.Ike.Wire;
using static Petrel.Ike.Tests.Keying.HmacSha256Reference;

namespace Petrel.Ike.Tests.Keying;

public class IntermediateAuthenticationTests
{
    private static SkCipher Cipher(ushort encrId, ushort keyBits, bool withInteg, int seed)
    {
        Assert.True(AlgorithmCatalog.TryFind(new Transform(TransformType.Encryption, encrId, keyBits), out var e));
        IntegrityAlgorithm? integ = null;
        if (withInteg)
        {
            Assert.True(AlgorithmCatalog.TryFind(new Transform(TransformType.Integrity, 12), out var i));
            integ = i.Integrity;
        }
        var key = Enumerable.Range(seed, e.Encryption!.KeyLength).Select(x => (byte)x).ToArray();
        var integKey = Enumerable.Range(seed, integ?.KeyLength ?? 0).Select(x => (byte)x).ToArray();
        return new SkCipher(e.Encryption, key, integ, integKey, new SeededRandom(seed));
    }

    private static IkeMessage Intermediate()
    {
        var m = new IkeMessage { InitiatorSpi = 0xaaaa, ResponderSpi = 0xbbbb, ExchangeType = ExchangeType.IkeIntermediate, IsInitiator = true, MessageId = 1 };
        m.Payloads.Add(new KeyExchangePayload(36, Enumerable.Range(0, 800).Select(x => (byte)x).ToArray())); // ML-KEM-768 sized
        m.Payloads.Add(new NotifyPayload(NotifyType.AdditionalKeyExchange, new byte[] { 1, 2 }));
        return m;
    }

    [Fact]
    public void Auth_octets_are_header_and_sk_header_with_plaintext_lengths_then_the_inner_payloads()
    {
        var m = Intermediate();
        using var cbc = Cipher(12, 256, withInteg: true, seed: 1);
        var wire = m.Encode(cbc);
        Assert.True(m.TryGetIntermediateAuthOctets(out var octets));

        var inner = new IkeMessage();
        inner.Payloads.AddRange(m.Payloads);
        var p = inner.Encode()[28..];
        Assert.Equal(28 + 4 + p.Length, octets.Length);
        // A: the wire header and SK header except for the two length fields (RFC 9242 §3.3.2).
        Assert.Equal(wire[..24], octets[..24]);
        Assert.Equal((uint)(28 + 4 + p.Length), BinaryPrimitives.ReadUInt32BigEndian(octets.AsSpan(24)));
        Assert.Equal(wire[28..30], octets[28..30]);
        Assert.Equal(4 + p.Length, BinaryPrimitives.ReadUInt16BigEndian(octets.AsSpan(30)));
        Assert.NotEqual(wire[24..28], octets[24..28]);
        // P: the inner payloads in the clear, without padding.
        Assert.Equal(p, octets[32..]);
    }

    [Fact]
    public void Auth_octets_do_not_depend_on_cipher_direction_or_fragmentation()
    {
        using var cbcSend = Cipher(12, 256, withInteg: true, seed: 1);
        using var cbcReceive = Cipher(12, 256, withInteg: true, seed: 1);
        using var gcmSend = Cipher(20, 256, withInteg: false, seed: 2);
        using var gcmReceive = Cipher(20, 256, withInteg: false, seed: 2);

        var sent = Intermediate();
        var cbcWire = sent.Encode(cbcSend);
        Assert.True(sent.TryGetIntermediateAuthOctets(out var fromSender));

        Assert.Equal(IkeDecodeStatus.Success, IkeMessage.TryDecode(cbcWire, cbcReceive, out var received, out _));
        Assert.True(received!.TryGetIntermediateAuthOctets(out var fromReceiver));
        Assert.Equal(fromSender, fromReceiver);

        var gcm = Intermediate();
        gcm.Encode(gcmSend);
        Assert.True(gcm.TryGetIntermediateAuthOctets(out var viaGcm));
        Assert.Equal(fromSender, viaGcm);

        var reassembler = new IkeFragmentReassembler();
        IkeMessage? joined = null;
        foreach (var f in Intermediate().EncodeFragments(gcmSend, 300))
        {
            Assert.Equal(IkeDecodeStatus.Success, IkeMessage.TryDecode(f, gcmReceive, out var fm, out _));
            reassembler.Add(fm!, out joined, out _);
        }
        Assert.NotNull(joined);
        Assert.True(joined!.TryGetIntermediateAuthOctets(out var viaFragments));
        Assert.Equal(fromSender, viaFragments);
    }

    [Fact]
    public void Only_intermediate_messages_keep_auth_octets()
    {
        using var cbc = Cipher(12, 256, withInteg: true, seed: 1);
        var auth = new IkeMessage { ExchangeType = ExchangeType.IkeAuth, MessageId = 2, IsInitiator = true };
        auth.Payloads.Add(new NotifyPayload(NotifyType.InitialContact));
        auth.Encode(cbc);
        Assert.False(auth.TryGetIntermediateAuthOctets(out _));
        var plain = Intermediate();
        plain.Encode();
        Assert.False(plain.TryGetIntermediateAuthOctets(out _));
    }

    [Fact]
    public void IntAuth_chains_with_the_prf_and_ends_with_the_ike_auth_message_id()
    {
        Assert.True(AlgorithmCatalog.TryFind(new Transform(TransformType.Prf, 5), out var entry));
        var prf = entry.Prf!;
        byte[] skPi1 = Enumerable.Repeat((byte)1, 32).ToArray(), skPi2 = Enumerable.Repeat((byte)2, 32).ToArray();
        byte[] skPr1 = Enumerable.Repeat((byte)3, 32).ToArray(), skPr2 = Enumerable.Repeat((byte)4, 32).ToArray();
        byte[] a1 = [10, 11], a2 = [12, 13, 14], b1 = [20], b2 = [21, 22];

        // IntAuth_i1 = prf(SK_pi1, IntAuth_i1A|P); IntAuth_i2 = prf(SK_pi2, IntAuth_i1 | IntAuth_i2A|P)
        var i1 = IntermediateAuthentication.Chain(prf, skPi1, default, a1);
        var i2 = IntermediateAuthentication.Chain(prf, skPi2, i1, a2);
        Assert.Equal(Prf(skPi1, a1), i1);
        Assert.Equal(Prf(skPi2, Prf(skPi1, a1), a2), i2);
        var r2 = IntermediateAuthentication.Chain(prf, skPr2, IntermediateAuthentication.Chain(prf, skPr1, default, b1), b2);
        Assert.Equal(Prf(skPr2, Prf(skPr1, b1), b2), r2);

        var intAuth = IntermediateAuthentication.Combine(i2, r2, 3);
        Assert.Equal(Concat(i2, r2, [0, 0, 0, 3]), intAuth);

        // AUTH then covers RealMessage | Nonce | MACedID | IntAuth.
        var octets = SignedOctets.Build(prf, [1, 2, 3], [4, 5], skPi1, [6], intAuth);
        Assert.Equal(Concat([1, 2, 3], [4, 5], Prf(skPi1, [6]), intAuth), octets);
    }

    [Fact]
    public void Additional_key_exchange_rekeys_sk_with_the_previous_sk_d()
    {
        Assert.True(IkeCipherSuite.TryCreate(new Proposal(SecurityProtocol.Ike, [
            new Transform(TransformType.Encryption, 20, 256), new Transform(TransformType.Prf, 5), new Transform(TransformType.KeyExchange, 19)]), out var suite, out string error), error);
        byte[] ni = Enumerable.Repeat((byte)0x11, 32).ToArray(), nr = Enumerable.Repeat((byte)0x22, 32).ToArray();
        byte[] gir = Enumerable.Repeat((byte)0x33, 32).ToArray(), mlkem = Enumerable.Repeat((byte)0x44, 32).ToArray();
        using var keys0 = suite!.DeriveKeys(gir, ni, nr, 1, 2);
        using var keys1 = suite.DeriveAfterAdditionalKeyExchange(keys0, mlkem, ni, nr, 1, 2);

        // RFC 9370 §2.2.2: SKEYSEED(1) = prf(SK_d(0), SK(1) | Ni | Nr), then prf+ over Ni | Nr | SPIi | SPIr.
        var seed = Prf(keys0.SkD, mlkem, ni, nr);
        Assert.Equal(seed, IkeKeyDerivation.ComputeAdditionalKeyExchangeSkeyseed(suite.Prf, keys0.SkD, mlkem, ni, nr));
        var keymat = PrfPlus(seed, Concat(ni, nr, Hex.Parse("0000000000000001 0000000000000002")), 32 + 2 * 36 + 2 * 32);
        Assert.Equal(keymat[0..32], keys1.SkD);
        Assert.Equal(keymat[32..68], keys1.SkEi);
        Assert.Equal(keymat[136..168], keys1.SkPr);
    }
}

using Petrel.Ike.Keying;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// RFC 9242 IKE_INTERMEDIATE carrying RFC 9370 additional key exchanges, Petrel against Petrel: the exchanges happen
/// in order before IKE_AUTH, each re-keys the IKE SA with its secret, and both the secret and the exchanged messages
/// (IntAuth) are bound into what IKE_AUTH authenticates.
/// </summary>
public class IntermediateExchangeTests
{
    private const byte IkeIntermediate = 43, IkeAuth = 35;

    [Fact]
    public void Mlkem768_as_first_additional_key_exchange_runs_in_one_ike_intermediate_before_ike_auth()
    {
        var f = Unfragmented("aes256-sha256-x25519-ke1_mlkem768");
        IkeSaKeys? beforeMlkem = null;
        // The initiator's keys when its IKE_INTERMEDIATE request leaves: those of x25519 alone (SKEYSEED of §2.14).
        f.Network.Intercept(d => d.ExchangeType == IkeIntermediate && !d.IsResponse, d =>
        {
            beforeMlkem ??= Copy(LeftIkeSa(f).Keys!);
            return true;
        });

        var result = f.Initiate();

        Assert.True(result?.Success, result?.Message);
        var exchanges = f.Network.Delivered.Select(d => $"{d.ExchangeType}/{(d.IsResponse ? "r" : "q")}/{d.MessageId}").ToList();
        Assert.Equal(["34/q/0", "34/r/0", "43/q/1", "43/r/1", "35/q/2", "35/r/2"], exchanges);
        Assert.Equal(["CURVE_25519", "KE1_ML_KEM_768"], f.LeftSa.KeyExchanges);
        Assert.Equal(["CURVE_25519", "KE1_ML_KEM_768"], f.RightSa.KeyExchanges);
        Assert.Contains("additional key exchange KE1_ML_KEM_768 done in IKE_INTERMEDIATE", f.Right.Log.All);

        // Both ends derived the same keys, and they are not the keys of x25519 alone: the ML-KEM secret entered SKEYSEED.
        var left = LeftIkeSa(f).Keys!;
        var right = f.Right.Engine.FindSa(f.RightSa.UniqueId)!.Keys!;
        Assert.Equal(left.SkD, right.SkD);
        Assert.Equal(left.SkEi, right.SkEi);
        Assert.Equal(left.SkPr, right.SkPr);
        Assert.NotNull(beforeMlkem);
        Assert.NotEqual(beforeMlkem!.SkD, left.SkD);
        Assert.NotEqual(beforeMlkem.SkEi, left.SkEi);
        Assert.NotEqual(beforeMlkem.SkAr, left.SkAr);
        Assert.NotEqual(beforeMlkem.SkPi, left.SkPi);
    }

    [Fact]
    public void Two_additional_key_exchanges_run_in_transform_type_order()
    {
        var f = ExchangeFixture.Create("aes128gcm16-prfsha256-ecp256-ke1_mlkem512-ke3_x25519", "aes128gcm16");

        var result = f.Initiate();

        Assert.True(result?.Success, result?.Message);
        Assert.Equal(2, f.Network.Delivered.Count(d => d.ExchangeType == IkeIntermediate && !d.IsResponse));
        Assert.Equal(3u, f.Network.Delivered.First(d => d.ExchangeType == IkeAuth).MessageId);
        Assert.Equal(["ECP_256", "KE1_ML_KEM_512", "KE3_CURVE_25519"], f.LeftSa.KeyExchanges);
        Assert.Equal(["ECP_256", "KE1_ML_KEM_512", "KE3_CURVE_25519"], f.RightSa.KeyExchanges);
    }

    [Fact]
    public void Additional_key_exchange_none_lets_a_peer_without_it_negotiate_without_ike_intermediate()
    {
        var f = ExchangeFixture.Create("aes256-sha256-x25519-ke1_mlkem768-ke1_none", "aes256gcm16", rightIke: "aes256-sha256-x25519");

        var result = f.Initiate();

        Assert.True(result?.Success, result?.Message);
        Assert.DoesNotContain(f.Network.Delivered, d => d.ExchangeType == IkeIntermediate);
        Assert.Equal(["CURVE_25519"], f.LeftSa.KeyExchanges);
    }

    [Fact]
    public void A_responder_without_the_additional_key_exchange_answers_no_proposal_chosen()
    {
        var f = ExchangeFixture.Create("aes256-sha256-x25519-ke1_mlkem768", "aes256gcm16", rightIke: "aes256-sha256-x25519");

        var result = f.Initiate();

        Assert.False(result?.Success ?? false);
        Assert.Contains("NO_PROPOSAL_CHOSEN", result!.Message);
        Assert.Empty(f.Right.Engine.ListSas());
    }

    [Theory]
    [InlineData("aes256-sha256-x25519-ke1_mlkem768")]
    [InlineData("aes256-sha256-x25519-ke1_mlkem1024")]
    public void A_flipped_byte_of_the_mlkem_ciphertext_makes_ike_auth_fail(string ike)
    {
        var f = Unfragmented(ike);
        int flipped = 0;
        // On the wire to the initiator: decrypt the IKE_INTERMEDIATE response with the keys that protect it, flip one
        // ciphertext byte in the KE payload, protect it again. ML-KEM decapsulation then yields another secret
        // (implicit rejection), so the initiator keys IKE_AUTH differently from the responder.
        f.Network.Intercept(d => d.ExchangeType == IkeIntermediate && d.IsResponse, d =>
        {
            var sa = LeftIkeSa(f);
            d.Data = Rewrite(d.Data, sa, fromInitiator: false, m =>
            {
                var ke = m.Get<KeyExchangePayload>()!;
                var data = ke.Data.ToArray();
                data[data.Length / 2] ^= 0x01;
                m.Payloads[m.Payloads.IndexOf(ke)] = new KeyExchangePayload(ke.Group, data);
            });
            flipped++;
            return true;
        });

        f.Left.Engine.Initiate("site", null, _ => { });
        f.Network.Run();
        f.Advance(TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(1));

        Assert.Equal(1, flipped);
        Assert.DoesNotContain(f.Left.Engine.ListSas(), s => s.State == "ESTABLISHED");
        Assert.DoesNotContain(f.Right.Engine.ListSas(), s => s.State == "ESTABLISHED");
        Assert.True(f.Right.Engine.IntegrityFailures > 0, "the responder should have rejected the initiator's IKE_AUTH");
        Assert.Empty(f.Left.Kernel.Sas);
        Assert.Empty(f.Right.Kernel.Sas);
    }

    [Fact]
    public void A_changed_ike_intermediate_request_with_the_same_key_exchange_fails_authentication_through_intauth()
    {
        // The KE payload is untouched, so both ends derive the same keys; only the message differs (an extra status
        // notify the responder ignores). IntAuth covers the message as each end saw it, so AUTH no longer verifies.
        var f = Unfragmented("aes256-sha256-x25519-ke1_mlkem768");
        f.Network.Intercept(d => d.ExchangeType == IkeIntermediate && !d.IsResponse, d =>
        {
            d.Data = Rewrite(d.Data, LeftIkeSa(f), fromInitiator: true, m => m.Payloads.Add(new NotifyPayload((NotifyType)40000, new byte[] { 1, 2, 3 })));
            return true;
        });

        var result = f.Initiate();

        Assert.False(result?.Success ?? false);
        Assert.Contains("AUTH", f.Right.Log.All);
        Assert.DoesNotContain(f.Right.Engine.ListSas(), s => s.State == "ESTABLISHED");
        Assert.Equal(0, f.Right.Engine.IntegrityFailures);
        Assert.Empty(f.Right.Kernel.Sas);
    }

    [Fact]
    public void A_retransmitted_ike_intermediate_request_gets_the_cached_response_after_the_key_update()
    {
        var f = Unfragmented("aes256-sha256-x25519-ke1_mlkem768");
        f.Network.Lose(d => d.ExchangeType == IkeIntermediate && d.IsResponse);

        f.Left.Engine.Initiate("site", null, _ => { });
        f.Network.Run();
        f.Advance(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));

        Assert.Equal("ESTABLISHED", f.LeftSa.State);
        Assert.Equal("ESTABLISHED", f.RightSa.State);
        Assert.Contains("retransmitted IkeIntermediate request 1, sending the cached response", f.Right.Log.All);
    }

    [Fact]
    public void Mlkem1024_key_exchange_payloads_travel_in_fragments_and_intauth_covers_the_reassembled_messages()
    {
        var f = ExchangeFixture.Create("aes256gcm16-prfsha384-ecp384-ke1_mlkem1024", "aes256gcm16");

        var result = f.Initiate();

        Assert.True(result?.Success, result?.Message);
        Assert.True(f.Network.Delivered.Count(d => d.ExchangeType == IkeIntermediate && !d.IsResponse) > 1, "the 1568-byte ML-KEM-1024 key should have been fragmented");
        Assert.True(f.Network.Delivered.Count(d => d.ExchangeType == IkeIntermediate && d.IsResponse) > 1, "the 1568-byte ML-KEM-1024 ciphertext should have been fragmented");
        Assert.Equal(["ECP_384", "KE1_ML_KEM_1024"], f.RightSa.KeyExchanges);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Signature_authentication_covers_intauth(bool tamper)
    {
        // Certificates (ECDSA, RFC 7427) instead of a PSK: IntAuth is part of the signed octets there too.
        var pki = EnginePki.Shared;
        var leftKey = pki.Key(Petrel.Ike.Certificates.KeyKind.Ecdsa, 256, 1);
        var rightKey = pki.Key(Petrel.Ike.Certificates.KeyKind.Ecdsa, 256, 2);
        var options = new IkeEngineOptions { FragmentSize = 9000 };
        var f = new ExchangeFixture(options, options);
        const string ike = "aes128gcm16-prfsha256-ecp256-ke1_mlkem768";
        f.Left.Engine.Load([EnginePki.Connection("site", ExchangeFixture.LeftAddress, ExchangeFixture.RightAddress, ike: ike, localTs: ["10.1.0.0/24"], remoteTs: ["10.2.0.0/24"])], [],
            pki.Store(pki.Issue(leftKey, "C=CH, O=Petrel Test, CN=left.petrel.test", ["left.petrel.test"]), leftKey, [pki.Root]));
        f.Right.Engine.Load([EnginePki.Connection("site", ExchangeFixture.RightAddress, ExchangeFixture.LeftAddress, ike: ike, localTs: ["10.2.0.0/24"], remoteTs: ["10.1.0.0/24"])], [],
            pki.Store(pki.Issue(rightKey, "C=CH, O=Petrel Test, CN=right.petrel.test", ["right.petrel.test"]), rightKey, [pki.Root]));
        if (tamper)
            f.Network.Intercept(d => d.ExchangeType == IkeIntermediate && d.IsResponse, d =>
            {
                d.Data = Rewrite(d.Data, LeftIkeSa(f), fromInitiator: false, m => m.Payloads.Add(new NotifyPayload((NotifyType)40000, new byte[] { 9 })));
                return true;
            });

        var result = f.Initiate();

        if (!tamper)
        {
            Assert.True(result?.Success, result?.Message);
            Assert.Equal(["ECP_256", "KE1_ML_KEM_768"], f.LeftSa.KeyExchanges);
            return;
        }
        // The initiator saw a different IKE_INTERMEDIATE response than the responder sent: its signature covers its own
        // view, so the responder's check of it fails.
        Assert.False(result?.Success ?? true);
        Assert.Contains("AUTHENTICATION_FAILED", result!.Message);
        Assert.Contains("signature", f.Right.Log.All, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(f.Left.Engine.ListSas(), s => s.State == "ESTABLISHED");
    }

    /// <summary>Messages stay whole, so a test can rewrite the one datagram that carries the KE payload.</summary>
    private static ExchangeFixture Unfragmented(string ike) =>
        ExchangeFixture.Create(ike, "aes256gcm16", leftOptions: new IkeEngineOptions { FragmentSize = 9000 }, rightOptions: new IkeEngineOptions { FragmentSize = 9000 });

    private static IkeSa LeftIkeSa(ExchangeFixture f) => f.Left.Engine.FindSa(Assert.Single(f.Left.Engine.ListSas()).UniqueId)!;

    private static IkeSaKeys Copy(IkeSaKeys k) =>
        new((byte[])k.SkD.Clone(), (byte[])k.SkAi.Clone(), (byte[])k.SkAr.Clone(), (byte[])k.SkEi.Clone(), (byte[])k.SkEr.Clone(), (byte[])k.SkPi.Clone(), (byte[])k.SkPr.Clone());

    /// <summary>Decrypts a message of the SA with the keys in use, lets <paramref name="change"/> edit its payloads, protects it again.</summary>
    private static byte[] Rewrite(byte[] datagram, IkeSa sa, bool fromInitiator, Action<IkeMessage> change)
    {
        var random = new DeterministicRandom(99);
        using var cipher = sa.Suite!.CreateCipher(sa.Keys!, fromInitiator, random);
        Assert.Equal(IkeDecodeStatus.Success, IkeMessage.TryDecode(datagram, cipher, out var m, out string error));
        change(m!);
        return m!.Encode(cipher);
    }
}

using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;

namespace Petrel.Crypto.Tests.Proposals;

public class ProposalSelectorTests
{
    private static IReadOnlyList<Proposal> Ike(string s) => ProposalParser.Parse(s, SecurityProtocol.Ike);
    private static IReadOnlyList<Proposal> Esp(string s) => ProposalParser.Parse(s, SecurityProtocol.Esp);

    private static IReadOnlyList<Proposal> Numbered(IReadOnlyList<Proposal> list) =>
        list.Select((p, i) => p with { Number = (byte)(i + 1), Spi = new byte[] { 1, 2, 3, (byte)i } }).ToList();

    [Fact]
    public void Picks_first_peer_proposal_we_accept_keeping_number_and_spi()
    {
        var theirs = Numbered(Esp("aes256gcm16,aes128-sha256"));
        var selected = ProposalSelector.Select(Esp("aes128-sha256-sha512"), theirs);
        Assert.NotNull(selected);
        Assert.Equal("ESP:AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ", selected.ToString());
        Assert.Equal(2, selected.Number);
        Assert.Equal(new byte[] { 1, 2, 3, 1 }, selected.Spi.ToArray());
    }

    [Fact]
    public void Reduces_each_type_to_one_transform_in_peer_order()
    {
        var theirs = Ike("aes256-aes128-sha512-sha256-x25519-ecp256-modp2048");
        var selected = ProposalSelector.Select(Ike("aes128-aes256-sha256-sha512-modp2048-ecp256"), theirs);
        Assert.Equal("IKE:AES_CBC_256/PRF_HMAC_SHA2_512/HMAC_SHA2_512_256/ECP_256", selected!.ToString());
    }

    [Fact]
    public void Key_length_must_match()
    {
        Assert.Null(ProposalSelector.Select(Esp("aes128-sha256"), Esp("aes256-sha256")));
        Assert.Null(ProposalSelector.Select(Esp("aes128gcm16"), Esp("aes128gcm12")));
    }

    [Fact]
    public void Pfs_group_must_be_agreed_by_both_or_neither()
    {
        Assert.Null(ProposalSelector.Select(Esp("aes128gcm16-modp2048"), Esp("aes128gcm16")));
        Assert.Null(ProposalSelector.Select(Esp("aes128gcm16"), Esp("aes128gcm16-ecp256")));
        Assert.Equal("ESP:AES_GCM_16_128/ECP_256/NO_EXT_SEQ",
            ProposalSelector.Select(Esp("aes128gcm16-modp2048-ecp256"), Esp("aes128gcm16-ecp256"))!.ToString());
    }

    [Fact]
    public void Esn_absent_on_the_wire_means_no()
    {
        var wire = new Proposal(SecurityProtocol.Esp, [new Transform(TransformType.Encryption, 20, 256)]);
        var selected = ProposalSelector.Select(Esp("aes256gcm16"), [wire]);
        Assert.Equal("ESP:AES_GCM_16_256/NO_EXT_SEQ", selected!.ToString());
        Assert.Null(ProposalSelector.Select(Esp("aes256gcm16-esn"), [wire]));
        Assert.Equal("ESP:AES_GCM_16_256/EXT_SEQ",
            ProposalSelector.Select(Esp("aes256gcm16-esn-noesn"), Esp("aes256gcm16-esn"))!.ToString());
    }

    [Fact]
    public void Integrity_none_sent_with_aead_is_ignored()
    {
        var wire = new Proposal(SecurityProtocol.Ike,
        [
            new Transform(TransformType.Encryption, 20, 128), new Transform(TransformType.Prf, 5),
            new Transform(TransformType.Integrity, 0), new Transform(TransformType.KeyExchange, 19),
        ]);
        Assert.Equal("IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256",
            ProposalSelector.Select(Ike("aes128gcm16-prfsha256-ecp256"), [wire])!.ToString());
    }

    [Fact]
    public void Protocols_must_match()
    {
        Assert.Null(ProposalSelector.Select(ProposalParser.Parse("sha256", SecurityProtocol.Ah), Esp("aes128-sha256")));
    }

    [Fact]
    public void Unknown_transforms_from_the_peer_are_skipped_not_fatal()
    {
        var wire = new Proposal(SecurityProtocol.Ike,
        [
            new Transform(TransformType.Encryption, 999), new Transform(TransformType.Encryption, 12, 128),
            new Transform(TransformType.Prf, 5), new Transform(TransformType.Integrity, 12),
            new Transform(TransformType.KeyExchange, 4242), new Transform(TransformType.KeyExchange, 14),
        ]);
        Assert.Equal("IKE:AES_CBC_128/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/MODP_2048",
            ProposalSelector.Select(Ike("aes128-sha256-modp2048"), [wire])!.ToString());
    }

    [Fact]
    public void Ke_payload_group_is_preferred_when_both_accept_it()
    {
        var ours = Ike("aes128-sha256-ecp256-modp2048");
        var theirs = Ike("aes128-sha256-ecp256-modp2048");
        var plain = ProposalSelector.Select(ours, theirs)!;
        Assert.Equal((ushort)19, plain.First(TransformType.KeyExchange)!.Value.Id);
        var withHint = ProposalSelector.Select(ours, theirs, preferredKeyExchange: 14)!;
        Assert.Equal((ushort)14, withHint.First(TransformType.KeyExchange)!.Value.Id);
        Assert.False(ProposalSelector.NeedsDifferentKeyExchange(withHint, 14, out _));
    }

    [Fact]
    public void Invalid_ke_payload_helpers()
    {
        // Responder only does ecp384; initiator guessed modp2048 in its KE payload.
        var ours = Ike("aes128-sha256-ecp384");
        var theirs = Ike("aes128-sha256-modp2048-ecp384");
        var selected = ProposalSelector.Select(ours, theirs, preferredKeyExchange: 14)!;
        Assert.True(ProposalSelector.NeedsDifferentKeyExchange(selected, 14, out var wanted));
        Assert.Equal((ushort)20, wanted);

        // Initiator side: retry only with a group it offered.
        Assert.True(ProposalSelector.Offers(theirs, wanted));
        Assert.False(ProposalSelector.Offers(theirs, 31));
        Assert.Equal((ushort)14, ProposalSelector.FirstKeyExchange(theirs));
        Assert.Null(ProposalSelector.FirstKeyExchange(Esp("aes128gcm16")));
    }

    [Fact]
    public void Without_key_exchange_drops_pfs_for_the_ike_auth_child()
    {
        var ours = ProposalSelector.WithoutKeyExchange(Esp("aes128gcm16-ecp256"));
        Assert.Equal("ESP:AES_GCM_16_128/NO_EXT_SEQ", ours[0].ToString());
        Assert.NotNull(ProposalSelector.Select(ours, Esp("aes128gcm16")));
    }

    [Fact]
    public void Default_proposals_select_against_each_other()
    {
        var ike = ProposalSelector.Select(ProposalParser.Default(SecurityProtocol.Ike), ProposalParser.Default(SecurityProtocol.Ike));
        // The lab's strongSwan 5.9.8 pair selected IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519.
        Assert.Equal("IKE:AES_CBC_128/PRF_HMAC_SHA2_256/HMAC_SHA2_256_128/CURVE_25519", ike!.ToString());
        var esp = ProposalSelector.Select(ProposalParser.Default(SecurityProtocol.Esp), ProposalParser.Default(SecurityProtocol.Esp));
        Assert.Equal("ESP:AES_GCM_16_128/NO_EXT_SEQ", esp!.ToString());
    }
}

using System.Net;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.DataPlane.Policy;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Wire;

public class PayloadRoundTripTests
{
    private static IkeMessage Decode(byte[] bytes)
    {
        var status = IkeMessage.TryDecode(bytes, null, out var message, out string error);
        Assert.True(status == IkeDecodeStatus.Success, $"{status}: {error}");
        return message!;
    }

    [Theory]
    [MemberData(nameof(PayloadVectors.All), MemberType = typeof(PayloadVectors))]
    public void Every_payload_decodes_and_reencodes_to_identical_bytes(string name, byte type, string hex)
    {
        var bytes = HandMessage.Build(type, hex);
        var message = Decode(bytes);
        Assert.Single(message.Payloads);
        Assert.Equal((PayloadType)type, message.Payloads[0].Type);
        Assert.Equal(Hex.Format(bytes), Hex.Format(message.Encode()));
        Assert.NotNull(name);
    }

    [Theory]
    [MemberData(nameof(PayloadVectors.All), MemberType = typeof(PayloadVectors))]
    public void Payload_built_from_decoded_fields_encodes_like_the_hand_written_bytes(string name, byte type, string hex)
    {
        // Rebuild a fresh message from the decoded payload objects: the encoder alone must produce the bytes.
        var bytes = HandMessage.Build(type, hex);
        var decoded = Decode(bytes);
        var rebuilt = new IkeMessage
        {
            InitiatorSpi = HandMessage.SpiI,
            ResponderSpi = HandMessage.SpiR,
            ExchangeType = ExchangeType.IkeSaInit,
            IsInitiator = true,
        };
        rebuilt.Payloads.AddRange(decoded.Payloads);
        Assert.True(bytes.AsSpan().SequenceEqual(rebuilt.Encode()), name);
    }

    [Fact]
    public void Header_fields_are_read_from_their_rfc_positions()
    {
        var bytes = HandMessage.Build(40, PayloadVectors.Nonce, exchange: 37, flags: 0x20, messageId: 0x01020304);
        var m = Decode(bytes);
        Assert.Equal(HandMessage.SpiI, m.InitiatorSpi);
        Assert.Equal(HandMessage.SpiR, m.ResponderSpi);
        Assert.Equal(ExchangeType.Informational, m.ExchangeType);
        Assert.True(m.IsResponse);
        Assert.False(m.IsInitiator);
        Assert.Equal(0x01020304u, m.MessageId);
        Assert.Equal(2, m.MajorVersion);
        Assert.Equal(0, m.MinorVersion);
    }

    [Fact]
    public void SA_payload_maps_to_proposals_and_transforms()
    {
        var sa = Decode(HandMessage.Build(33, PayloadVectors.SecurityAssociation)).Get<SecurityAssociationPayload>()!;
        Assert.Equal(2, sa.Proposals.Count);
        var ike = sa.Proposals[0];
        Assert.Equal(SecurityProtocol.Ike, ike.Protocol);
        Assert.Equal(1, ike.Number);
        Assert.True(ike.Spi.IsEmpty);
        Assert.Equal(
            [new Transform(TransformType.Encryption, 12, 256), new Transform(TransformType.Prf, 5), new Transform(TransformType.Integrity, 12), new Transform(TransformType.KeyExchange, 19)],
            ike.Transforms);
        var esp = sa.Proposals[1];
        Assert.Equal(SecurityProtocol.Esp, esp.Protocol);
        Assert.Equal(2, esp.Number);
        Assert.Equal("c0ffee01", Hex.Format(esp.Spi.Span));
        Assert.Equal([new Transform(TransformType.Encryption, 20, 128), new Transform(TransformType.ExtendedSequenceNumbers, 0)], esp.Transforms);
        Assert.Equal(0, sa.RejectedProposals);
    }

    [Fact]
    public void SA_proposal_with_an_unknown_transform_attribute_is_rejected_but_others_kept()
    {
        // Proposal 1 carries attribute type 99 (TV) that IKEv2 does not define (§3.3.6: reject the proposal).
        const string sa =
            "00 00 002c" +
            "02 00 0014 | 01 01 00 01 | 00 00 000c | 01 00 000c | 8063 0080" +
            "00 00 0014 | 02 01 00 01 | 00 00 000c | 01 00 000c | 800e 0080";
        var payload = Decode(HandMessage.Build(33, sa)).Get<SecurityAssociationPayload>()!;
        var kept = Assert.Single(payload.Proposals);
        Assert.Equal(2, kept.Number);
        Assert.Equal(1, payload.RejectedProposals);
    }

    [Fact]
    public void Identification_payloads_expose_type_data_and_identity()
    {
        var idi = Decode(HandMessage.Build(35, PayloadVectors.IdInitiatorIpv4)).Get<IdentificationPayload>()!;
        Assert.True(idi.IsInitiator);
        Assert.Equal(IdType.Ipv4Address, idi.IdType);
        Assert.Equal("192.168.1.2", idi.Identity.ToString());
        Assert.Equal("01000000c0a80102", Hex.Format(idi.GetBody()));

        var idr = Decode(HandMessage.Build(36, PayloadVectors.IdResponderFqdn)).Get<IdentificationPayload>()!;
        Assert.False(idr.IsInitiator);
        Assert.Equal(IdType.Fqdn, idr.IdType);
        Assert.Equal("moon.strongswan.org", idr.Identity.ToString());
    }

    [Fact]
    public void Notify_payloads_expose_protocol_spi_type_and_data()
    {
        var nat = Decode(HandMessage.Build(41, PayloadVectors.NotifyNatSource)).Get<NotifyPayload>()!;
        Assert.Equal(NotifyType.NatDetectionSourceIp, nat.NotifyType);
        Assert.Equal(0, nat.ProtocolId);
        Assert.True(nat.Spi.IsEmpty);
        Assert.Equal(20, nat.Data.Length);
        Assert.False(nat.IsError);

        var rekey = Decode(HandMessage.Build(41, PayloadVectors.NotifyRekeySa)).Get<NotifyPayload>()!;
        Assert.Equal(NotifyType.RekeySa, rekey.NotifyType);
        Assert.Equal((byte)SecurityProtocol.Esp, rekey.ProtocolId);
        Assert.Equal("c0ffee01", Hex.Format(rekey.Spi.Span));

        var invalidKe = Decode(HandMessage.Build(41, PayloadVectors.NotifyInvalidKe)).GetNotify(NotifyType.InvalidKePayload)!;
        Assert.True(invalidKe.IsError);
        Assert.True(invalidKe.TryGetGroup(out ushort group));
        Assert.Equal(19, group);
    }

    [Fact]
    public void Delete_payloads_for_esp_and_ike()
    {
        var esp = Decode(HandMessage.Build(42, PayloadVectors.DeleteEsp)).Get<DeletePayload>()!;
        Assert.Equal(SecurityProtocol.Esp, esp.Protocol);
        Assert.Equal([0xc0ffee01u, 0xc0ffee02u], esp.Spis);
        var ike = Decode(HandMessage.Build(42, PayloadVectors.DeleteIke)).Get<DeletePayload>()!;
        Assert.Equal(SecurityProtocol.Ike, ike.Protocol);
        Assert.Empty(ike.Spis);
        Assert.Equal(Hex.Parse(PayloadVectors.DeleteIke)[4..], Body(DeletePayload.ForIkeSa()));
    }

    [Fact]
    public void Traffic_selectors_for_ipv4_and_ipv6()
    {
        var ts = Decode(HandMessage.Build(44, PayloadVectors.TrafficSelectorInitiator)).Get<TrafficSelectorPayload>()!;
        Assert.True(ts.IsInitiator);
        Assert.Equal(2, ts.Selectors.Count);
        Assert.Equal(TrafficSelector.Parse("192.168.1.0/24"), ts.Selectors[0]);
        Assert.Equal(TrafficSelector.Parse("2001:db8::/64[tcp/80]"), ts.Selectors[1]);

        var built = new TrafficSelectorPayload(true, [TrafficSelector.Parse("192.168.1.0/24"), TrafficSelector.Parse("2001:db8::/64[tcp/80]")]);
        Assert.Equal(Hex.Parse(PayloadVectors.TrafficSelectorInitiator)[4..], Body(built));
    }

    [Fact]
    public void Configuration_eap_cert_and_unknown_payload_fields()
    {
        var cp = Decode(HandMessage.Build(47, PayloadVectors.ConfigurationReply)).Get<ConfigurationPayload>()!;
        Assert.Equal(ConfigurationType.Reply, cp.ConfigurationType);
        Assert.Equal(ConfigurationAttribute.InternalIp4Address, cp.Attributes[0].AttributeType);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), new IPAddress(cp.Attributes[0].Value.Span));

        var eap = Decode(HandMessage.Build(48, PayloadVectors.Eap)).Get<EapPayload>()!;
        Assert.Equal(2, eap.Code);
        Assert.Equal(5, eap.Identifier);

        var cert = Decode(HandMessage.Build(37, PayloadVectors.Certificate)).Get<CertificatePayload>()!;
        Assert.Equal(CertificateEncoding.X509Signature, cert.Encoding);
        Assert.Equal("3006020101020105", Hex.Format(cert.Data.Span));

        var critical = Decode(HandMessage.Build(200, PayloadVectors.UnknownCritical));
        Assert.Same(critical.Payloads[0], critical.UnsupportedCriticalPayload);
        Assert.Equal((PayloadType)200, critical.UnsupportedCriticalPayload!.Type);
        Assert.Null(Decode(HandMessage.Build(201, PayloadVectors.UnknownNotCritical)).UnsupportedCriticalPayload);
    }

    [Fact]
    public void Chain_of_ike_sa_init_payloads_links_next_payload_fields()
    {
        // SA -> KE -> Nonce -> N -> N, each generic header naming the following payload type (§3.2).
        string chain =
            "22" + PayloadVectors.SecurityAssociation.Replace(" ", "")[2..] +
            "28" + PayloadVectors.KeyExchange.Replace(" ", "")[2..] +
            "29" + PayloadVectors.Nonce.Replace(" ", "")[2..] +
            "29" + PayloadVectors.NotifyNatSource.Replace(" ", "")[2..] +
            "00 00 001c | 00 00 4005 | b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3";
        var bytes = HandMessage.Build(33, chain);
        var m = Decode(bytes);
        Assert.Equal(
            [PayloadType.SecurityAssociation, PayloadType.KeyExchange, PayloadType.Nonce, PayloadType.Notify, PayloadType.Notify],
            m.Payloads.Select(p => p.Type));
        Assert.NotNull(m.GetNotify(NotifyType.NatDetectionDestinationIp));
        Assert.Equal(bytes, m.Encode());
        Assert.Equal(bytes, m.RawBytes);
    }

    [Fact]
    public void Encrypted_payloads_stay_opaque_without_a_cipher_and_reencode()
    {
        var sk = HandMessage.Build(46, "23 00 0018 | 00112233445566778899aabbccddeeff | 01020304", exchange: 35, messageId: 1);
        var m = Decode(sk);
        var e = Assert.IsType<EncryptedPayload>(Assert.Single(m.Payloads));
        Assert.Equal(PayloadType.IdentificationInitiator, e.FirstInnerPayload);
        Assert.Equal(20, e.Body.Length);
        Assert.False(m.WasEncrypted);
        Assert.Equal(sk, m.Encode());

        var skf = HandMessage.Build(53, "23 00 0018 | 0001 0002 | 00112233445566778899aabbccddeeff", exchange: 35, messageId: 1);
        var f = Assert.IsType<EncryptedFragmentPayload>(Assert.Single(Decode(skf).Payloads));
        Assert.Equal(1, f.FragmentNumber);
        Assert.Equal(2, f.TotalFragments);
        Assert.Equal(PayloadType.IdentificationInitiator, f.FirstInnerPayload);
        Assert.False(f.IsDecrypted);
    }

    private static byte[] Body(IkePayload p)
    {
        var body = new byte[p.BodyLength];
        p.WriteBody(body);
        return body;
    }
}

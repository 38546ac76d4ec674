using System.Net;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Keying;
using Petrel.Ike.Tests.Wire.Captures;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Wire;

/// <summary>
/// The eight IKEv2 captures of Wireshark's decryption tests (strongSwan peers, tests/vectors/wireshark):
/// every frame parses and re-encodes byte for byte, the NAT detection hashes match the captured addresses,
/// and the SK payloads decrypt with the published keys to the payloads Wireshark's suite asserts.
/// </summary>
public class WiresharkCaptureTests
{
    public static TheoryData<string> AllCaptures => new()
    {
        "ikev2-decrypt-3des-sha1_160.pcap", "ikev2-decrypt-aes128ccm12.pcap", "ikev2-decrypt-aes128ccm12-2.pcap",
        "ikev2-decrypt-aes192ctr.pcap", "ikev2-decrypt-aes256cbc.pcapng", "ikev2-decrypt-aes256ccm16.pcapng",
        "ikev2-decrypt-aes256gcm16.pcap", "ikev2-decrypt-aes256gcm8.pcap",
    };

    private static IkeMessage DecodePlain(byte[] datagram)
    {
        var status = IkeMessage.TryDecode(datagram, null, out var m, out string error);
        Assert.True(status == IkeDecodeStatus.Success, $"{status}: {error}");
        return m!;
    }

    [Theory]
    [MemberData(nameof(AllCaptures))]
    public void Every_frame_parses_and_reencodes_to_identical_bytes(string name)
    {
        var capture = Ikev2Capture.Load(name);
        Assert.Equal(capture.Expected.GetProperty("frames").GetInt32(), capture.Datagrams.Count);
        for (int i = 0; i < capture.Datagrams.Count; i++)
        {
            var d = capture.Datagrams[i];
            Assert.Equal(capture.Frames[i].GetProperty("ike_message").GetString(), Hex.Format(d.Payload));
            var m = DecodePlain(d.Payload);
            Assert.Equal(d.Payload, m.Encode());
        }
    }

    [Theory]
    [MemberData(nameof(AllCaptures))]
    public void Ike_sa_init_carries_the_rfc_payloads_and_matching_nat_detection_hashes(string name)
    {
        var capture = Ikev2Capture.Load(name);
        var initiator = IPAddress.Parse(capture.Expected.GetProperty("initiator").GetString()!);
        bool multipleAuth = false;
        for (int i = 0; i < 2; i++)
        {
            var d = capture.Datagrams[i];
            var m = DecodePlain(d.Payload);
            Assert.Equal(ExchangeType.IkeSaInit, m.ExchangeType);
            Assert.Equal(i == 1, m.IsResponse);
            Assert.Equal(i == 0, m.IsInitiator);
            Assert.Equal(i == 0 ? initiator : capture.Datagrams[0].Destination.Address, d.Source.Address);
            Assert.NotNull(m.Get<SecurityAssociationPayload>());
            Assert.NotNull(m.Get<KeyExchangePayload>());
            Assert.True(m.Get<NoncePayload>()!.HasValidLength);
            if (m.GetNotify(NotifyType.MultipleAuthSupported) is not null) multipleAuth = true;

            // RFC 7296 §2.23: SHA-1(SPIi | SPIr | IP | port); SPIr is zero in the request, as in its header.
            var source = m.GetNotify(NotifyType.NatDetectionSourceIp)!;
            var destination = m.GetNotify(NotifyType.NatDetectionDestinationIp)!;
            Assert.True(NatDetection.Matches(source.Data.Span, m.InitiatorSpi, m.ResponderSpi, d.Source), "source hash");
            Assert.True(NatDetection.Matches(destination.Data.Span, m.InitiatorSpi, m.ResponderSpi, d.Destination), "destination hash");
            Assert.False(NatDetection.Matches(destination.Data.Span, m.InitiatorSpi, m.ResponderSpi, new IPEndPoint(d.Destination.Address, 4500)));
        }
        Assert.True(multipleAuth, "MULTIPLE_AUTH_SUPPORTED in IKE_SA_INIT");
        var response = DecodePlain(capture.Datagrams[1].Payload);
        var selected = Assert.Single(response.Get<SecurityAssociationPayload>()!.Proposals);
        Assert.Equal(SecurityProtocol.Ike, selected.Protocol);
        Assert.Equal(DecodePlain(capture.Datagrams[1].Payload).Get<KeyExchangePayload>()!.Group,
            selected.Transforms.Single(t => t.Type == Petrel.Crypto.Algorithms.TransformType.KeyExchange).Id);
    }

    [Theory]
    [MemberData(nameof(AllCaptures))]
    public void Encrypted_frames_decrypt_to_the_payloads_wireshark_asserts(string name) => AssertDecryption(name);

    [Theory]
    [MemberData(nameof(AllCaptures))]
    public void Sealing_the_captured_plaintext_with_the_captured_iv_reproduces_each_frame(string name) => AssertResealing(name);

    /// <summary>The SK ciphers of the capture's IKE SA: the transforms selected in the IKE_SA_INIT response, keys from the table.</summary>
    private static (SkCipher FromInitiator, SkCipher FromResponder) Ciphers(Ikev2Capture capture)
    {
        var saInitResponse = DecodePlain(capture.Datagrams[1].Payload);
        var proposal = Assert.Single(saInitResponse.Get<SecurityAssociationPayload>()!.Proposals);
        Assert.True(IkeCipherSuite.TryCreate(proposal, out var suite, out string suiteError), suiteError);
        var random = new SeededRandom(0);
        return (new SkCipher(suite!.Encryption, capture.SkEi, suite.Integrity, capture.Keys.SkAi, random),
                new SkCipher(suite.Encryption, capture.SkEr, suite.Integrity, capture.Keys.SkAr, random));
    }

    private static void AssertResealing(string name)
    {
        // Encryption checked against strongSwan's own bytes: same IV, same padding, so the same ciphertext and ICV,
        // which pins down the AAD (RFC 5282 §5.1) and the ICV coverage (RFC 7296 §3.14).
        var capture = Ikev2Capture.Load(name);
        var (fromInitiator, fromResponder) = Ciphers(capture);
        using var _i = fromInitiator;
        using var _r = fromResponder;
        for (int i = 2; i < capture.Datagrams.Count; i++)
        {
            var original = capture.Datagrams[i].Payload;
            var reference = capture.Frames[i];
            var padded = Convert.FromHexString(reference.GetProperty("plaintext_with_padding").GetString()!);
            var cipher = DecodePlain(original).IsInitiator ? fromInitiator : fromResponder;
            const int ivOffset = 28 + 4;
            var rebuilt = (byte[])original.Clone();
            rebuilt.AsSpan(ivOffset + cipher.IvLength).Clear();
            cipher.SealPadded(rebuilt, ivOffset, padded);
            Assert.Equal(Hex.Format(original), Hex.Format(rebuilt));
        }
    }

    private static void AssertDecryption(string name)
    {
        var capture = Ikev2Capture.Load(name);
        var (fromInitiator, fromResponder) = Ciphers(capture);
        using var _i = fromInitiator;
        using var _r = fromResponder;

        var decoded = new List<IkeMessage>();
        for (int i = 2; i < capture.Datagrams.Count; i++)
        {
            var bytes = capture.Datagrams[i].Payload;
            var header = DecodePlain(bytes);
            var cipher = header.IsInitiator ? fromInitiator : fromResponder;
            var status = IkeMessage.TryDecode(bytes, cipher, out var m, out string error);
            Assert.True(status == IkeDecodeStatus.Success, $"frame {i + 1}: {status} {error}");
            Assert.True(m!.WasEncrypted);

            // The inner payloads re-encode to the reference plaintext without its padding and pad length.
            var reference = capture.Frames[i];
            var plaintext = Convert.FromHexString(reference.GetProperty("plaintext_with_padding").GetString()!);
            int pad = reference.GetProperty("pad_length").GetInt32();
            var clear = new IkeMessage();
            clear.Payloads.AddRange(m.Payloads);
            Assert.Equal(Hex.Format(plaintext.AsSpan(0, plaintext.Length - pad - 1)), Hex.Format(clear.Encode().AsSpan(28)));

            // The other direction's keys must not authenticate it.
            var wrong = header.IsInitiator ? fromResponder : fromInitiator;
            Assert.Equal(IkeDecodeStatus.IntegrityCheckFailed, IkeMessage.TryDecode(bytes, wrong, out _, out _));
            decoded.Add(m);
        }

        var authRequest = decoded[0];
        var authResponse = decoded[1];
        var expectedAuth = capture.Expected.GetProperty("auth");
        Assert.Equal(expectedAuth.GetProperty("3").GetString(), Hex.Format(authRequest.Get<AuthenticationPayload>()!.Data.Span));
        Assert.Equal(expectedAuth.GetProperty("4").GetString(), Hex.Format(authResponse.Get<AuthenticationPayload>()!.Data.Span));
        Assert.Equal(AuthMethod.SharedKeyMessageIntegrityCode, authRequest.Get<AuthenticationPayload>()!.Method);
        Assert.Equal(AuthMethod.SharedKeyMessageIntegrityCode, authResponse.Get<AuthenticationPayload>()!.Method);

        var initiatorAddress = capture.Expected.GetProperty("initiator").GetString();
        var idi = (IdentificationPayload)authRequest.Get(PayloadType.IdentificationInitiator)!;
        var idr = (IdentificationPayload)authResponse.Get(PayloadType.IdentificationResponder)!;
        Assert.Equal(IdType.Ipv4Address, idi.IdType);
        Assert.Equal(IdType.Ipv4Address, idr.IdType);
        Assert.Equal(initiatorAddress, idi.Identity.ToString());
        Assert.NotNull(authRequest.GetNotify(NotifyType.InitialContact));
        Assert.NotNull(authResponse.GetNotify(NotifyType.AuthLifetime));

        var child = Assert.Single(authResponse.Get<SecurityAssociationPayload>()!.Proposals);
        Assert.Equal(SecurityProtocol.Esp, child.Protocol);
        Assert.Equal(capture.Expected.GetProperty("esp_spi").GetString(), Hex.Format(child.Spi.Span));
        Assert.Equal(capture.Expected.GetProperty("child_encr").GetInt32(),
            child.Transforms.First(t => t.Type == Petrel.Crypto.Algorithms.TransformType.Encryption).Id);

        foreach (var m in new[] { authRequest, authResponse })
        {
            foreach (var type in new[] { PayloadType.TrafficSelectorInitiator, PayloadType.TrafficSelectorResponder })
            {
                var ts = Assert.Single(((TrafficSelectorPayload)m.Get(type)!).Selectors);
                Assert.Equal(ts.Start, ts.End); // single host
                Assert.Equal(0, ts.StartPort);
                Assert.Equal(65535, ts.EndPort);
            }
        }

        if (decoded.Count == 4)
        {
            var (request, response) = (decoded[2], decoded[3]);
            Assert.Equal(ExchangeType.Informational, request.ExchangeType);
            Assert.False(request.IsResponse);
            Assert.True(response.IsResponse);
            bool byResponder = capture.Expected.GetProperty("informational_by_responder").GetBoolean();
            Assert.Equal(!byResponder, request.IsInitiator);
            Assert.Equal(SecurityProtocol.Ike, Assert.IsType<DeletePayload>(Assert.Single(request.Payloads)).Protocol);
            Assert.Empty(response.Payloads);
        }
    }
}

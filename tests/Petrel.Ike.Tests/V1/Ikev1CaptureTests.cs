using System.Net;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Tests.Wire;
using Petrel.Ike.Tests.Wire.Captures;
using Petrel.Ike.V1.Keying;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.Tests.V1;

/// <summary>
/// The three IKEv1 captures of Wireshark's decryption suite (tests/vectors/ikev1, keys from its
/// ikev1_decryption_table): every frame's ISAKMP framing parses, the Phase 1 IV is hash(g^xi | g^xr), Main Mode's
/// messages 5 and 6 chain their IVs, each Phase 2 / Informational message ID has its own IV from hash(last Phase 1
/// block | M-ID), and decryption yields the values Wireshark's suite asserts.
/// </summary>
public class Ikev1CaptureTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "vectors", "ikev1");

    private static List<CapturedDatagram> Load(string name) => PcapReader.ReadUdp(Path.Combine(Folder, name));

    private static byte[] Key(string cookie) =>
        Convert.FromHexString(File.ReadLines(Path.Combine(Folder, "ikev1_decryption_table.tmpl"))
            .Where(l => !l.StartsWith('#')).Select(l => l.Split(',')).Single(f => f[0] == cookie)[1]);

    private static IsakmpMessage Plain(CapturedDatagram d)
    {
        Assert.True(IsakmpMessage.TryDecode(d.Payload, null, out var m, out string error), error);
        return m;
    }

    private static Phase1Cipher Cipher(string cookie, IsakmpMessage keI, IsakmpMessage keR, Phase1Suite suite)
    {
        var ivs = new IvChain(suite.HashName, suite.Encryption.BlockSize,
            keI.Get(IsakmpPayloadType.KeyExchange)!.Body, keR.Get(IsakmpPayloadType.KeyExchange)!.Body);
        return new Phase1Cipher(suite.Encryption, Key(cookie), ivs);
    }

    private static IsakmpMessage Decrypt(CapturedDatagram d, Phase1Cipher cipher)
    {
        Assert.True(IsakmpMessage.TryDecode(d.Payload, cipher, out var m, out string error), $"frame {d.Frame}: {error}");
        Assert.True(m.WasEncrypted);
        return m;
    }

    private static Phase1Suite FirstSuite(IsakmpMessage m)
    {
        Assert.True(SaPayload.TryDecode(m.Get(IsakmpPayloadType.SecurityAssociation)!.Body, out var proposals, out string error), error);
        var suite = Phase1Suite.FromTransform(proposals[0].Transforms[0], out error);
        Assert.True(suite is not null, error);
        return suite!;
    }

    [Theory]
    [InlineData("ikev1-bug-12610.pcapng", 16)]
    [InlineData("ikev1-bug-12620.pcapng", 10)]
    [InlineData("ikev1-certs.pcap", 10)]
    public void Every_frame_has_valid_isakmp_framing_and_cleartext_ones_reencode_identically(string capture, int frames)
    {
        var datagrams = Load(capture);
        Assert.Equal(frames, datagrams.Count);
        foreach (var d in datagrams)
        {
            Assert.True(IsakmpMessage.IsVersion1(d.Payload));
            Assert.True(IsakmpMessage.TryDecodeHeader(d.Payload, out var header, out string error), error);
            if ((header.Flags & IsakmpFlags.Encryption) != 0) continue;
            var m = Plain(d);
            var again = new IsakmpMessage
            {
                InitiatorCookie = m.InitiatorCookie, ResponderCookie = m.ResponderCookie, Exchange = m.Exchange, Flags = m.Flags, MessageId = m.MessageId,
            };
            again.Payloads.AddRange(m.Payloads);
            Assert.Equal(d.Payload, again.Encode());
        }
    }

    [Fact]
    public void Main_mode_sa_payload_reads_as_aes256_sha256_modp1024_and_reencodes()
    {
        var first = Plain(Load("ikev1-bug-12610.pcapng")[0]);
        var body = first.Get(IsakmpPayloadType.SecurityAssociation)!.Body;
        Assert.True(SaPayload.TryDecode(body, out var proposals, out string error), error);
        Assert.Equal(body, SaPayload.Encode(proposals));
        var suite = FirstSuite(first);
        Assert.Equal("IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_1024", suite.ToString());
        Assert.Equal(V1AuthMethod.XauthInitPsk, suite.AuthMethod);
        Assert.Equal(V1Protocol.Isakmp, proposals[0].Protocol);
    }

    [Fact]
    public void Main_mode_then_interleaved_exchanges_decrypt_with_per_message_id_ivs()
    {
        var d = Load("ikev1-bug-12610.pcapng");
        var suite = FirstSuite(Plain(d[0]));
        using var cipher = Cipher("ab3e0f1f8bc3be8e", Plain(d[2]), Plain(d[3]), suite);

        // Main Mode 5 and 6: ID and HASH, the second chained from the first's last block.
        var m5 = Decrypt(d[4], cipher);
        Assert.True(IdPayload.TryDecode(m5.Get(IsakmpPayloadType.Identification)!.Body, out var idI));
        Assert.Equal(IPAddress.Parse("192.168.0.100"), new IPAddress(idI!.Data));
        Assert.Equal(V1IdType.Ipv4Address, idI.Type);
        var m6 = Decrypt(d[5], cipher);
        Assert.True(IdPayload.TryDecode(m6.Get(IsakmpPayloadType.Identification)!.Body, out var idR));
        Assert.Equal(V1IdType.Fqdn, idR!.Type);
        Assert.Equal("moon.localdomain", System.Text.Encoding.ASCII.GetString(idR.Data));

        // Frames 7 (MID 248fb011), 8 (83e1ee0b) and 9 (248fb011 again): 9 continues 7's chain, not 8's.
        Decrypt(d[6], cipher);
        var informational = Decrypt(d[7], cipher);
        Assert.Equal(IsakmpExchange.Informational, informational.Exchange);
        var m9 = Decrypt(d[8], cipher);
        Assert.Equal(0x248fb011u, m9.MessageId);
        // Wireshark's suite asserts this HASH (it decodes only with the right IV).
        Assert.Equal("b52521f774967402c9f6cee95fd17e5bccec230b5731fc530e1a8ab33a69f440", Hex.Format(m9.Get(IsakmpPayloadType.Hash)!.Body));

        for (int i = 9; i < 13; i++) Decrypt(d[i], cipher);
        // Quick Mode: HASH SA Nonce ID ID, the selectors 10.1.1.1 and 0.0.0.0/0.
        var qm1 = Decrypt(d[13], cipher);
        Assert.Equal(IsakmpExchange.QuickMode, qm1.Exchange);
        Assert.Equal(IsakmpPayloadType.Hash, qm1.Payloads[0].Type);
        var ids = qm1.All(IsakmpPayloadType.Identification).Select(p => { Assert.True(IdPayload.TryDecode(p.Body, out var id)); return id!.ToSelector(); }).ToList();
        Assert.Equal(2, ids.Count);
        Assert.Equal("10.1.1.1/32", ids[0]!.ToString());
        Assert.Equal("0.0.0.0/0", ids[1]!.ToString());
        Assert.True(SaPayload.TryDecode(qm1.Get(IsakmpPayloadType.SecurityAssociation)!.Body, out var esp, out string error), error);
        Assert.All(esp, p => Assert.Equal(V1Protocol.Esp, p.Protocol));
        Assert.All(esp, p => Assert.Equal(4, p.Spi.Length));
        var qm2 = Decrypt(d[14], cipher);
        Assert.Single(qm2.All(IsakmpPayloadType.Nonce));
        var qm3 = Decrypt(d[15], cipher);
        Assert.Equal([IsakmpPayloadType.Hash], qm3.Payloads.Select(p => p.Type));
        Assert.Equal(32, qm3.Payloads[0].Body.Length);
    }

    [Fact]
    public void Informational_after_cleartext_aggressive_mode_uses_the_hash_of_the_initial_iv()
    {
        var d = Load("ikev1-bug-12620.pcapng");
        var first = Plain(d[0]);
        Assert.Equal(IsakmpExchange.Aggressive, first.Exchange);
        var suite = FirstSuite(first);
        using var cipher = Cipher("29f6006212625def", first, Plain(d[1]), suite);
        var info = Decrypt(d[3], cipher);
        Assert.Equal(IsakmpExchange.Informational, info.Exchange);
        Assert.Equal("40043b640f4373250d5ac3a1fb63153cacab954cca6366021f4ab9d436265052", Hex.Format(info.Get(IsakmpPayloadType.Hash)!.Body));
        Assert.True(V1Notify.TryDecode(info.Get(IsakmpPayloadType.Notification)!.Body, out var notify));
        Assert.Equal(IsakmpNotify.InitialContact, notify!.Type);
        Assert.Equal(16, notify.Spi.Length);
    }

    [Fact]
    public void Main_mode_with_3des_md5_signatures_decrypts_the_certificate()
    {
        var d = Load("ikev1-certs.pcap");
        var suite = FirstSuite(Plain(d[0]));
        Assert.Equal("IKE:3DES_CBC/HMAC_MD5_96/PRF_HMAC_MD5/MODP_1024", suite.ToString());
        Assert.Equal(V1AuthMethod.RsaSignature, suite.AuthMethod);
        using var cipher = Cipher("fafaeb49382a763c", Plain(d[2]), Plain(d[3]), suite);
        var m5 = Decrypt(d[4], cipher);
        Assert.Equal([IsakmpPayloadType.Identification, IsakmpPayloadType.Certificate, IsakmpPayloadType.CertificateRequest, IsakmpPayloadType.Signature],
            m5.Payloads.Select(p => p.Type).Where(t => t != IsakmpPayloadType.VendorId && t != IsakmpPayloadType.Notification));
        var cert = m5.Get(IsakmpPayloadType.Certificate)!.Body;
        Assert.Equal(4, cert[0]); // X.509 signature certificate
        using var x509 = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(cert.AsSpan(1));
        Assert.Contains("OpenSwan", x509.Issuer + x509.Subject);
        Assert.True(IdPayload.TryDecode(m5.Get(IsakmpPayloadType.Identification)!.Body, out var id));
        Assert.Equal(IPAddress.Parse("192.168.12.118"), new IPAddress(id!.Data));
        var m6 = Decrypt(d[5], cipher);
        Assert.True(IdPayload.TryDecode(m6.Get(IsakmpPayloadType.Identification)!.Body, out var idR));
        Assert.Equal(IPAddress.Parse("172.16.1.103"), new IPAddress(idR!.Data));
        Assert.Contains(m6.Get(IsakmpPayloadType.Signature)!.Body.Length, new[] { 128, 256 }); // a 1024/2048-bit RSA signature
        // Quick Mode: frame 8 repeats frame 7 byte for byte (a retransmission), so the chain goes 7, 9, 10.
        Assert.Equal(d[6].Payload, d[7].Payload);
        Decrypt(d[6], cipher);
        Decrypt(d[8], cipher);
        var qm3 = Decrypt(d[9], cipher);
        Assert.Equal(IsakmpPayloadType.Hash, Assert.Single(qm3.Payloads).Type);
    }

    [Fact]
    public void A_garbled_encrypted_message_leaves_the_iv_chain_where_it_was()
    {
        var d = Load("ikev1-bug-12610.pcapng");
        var suite = FirstSuite(Plain(d[0]));
        using var cipher = Cipher("ab3e0f1f8bc3be8e", Plain(d[2]), Plain(d[3]), suite);
        var garbled = d[4].Payload.ToArray();
        garbled[40] ^= 0xFF; // first ciphertext block: the generic header of the ID payload turns to garbage
        Assert.False(IsakmpMessage.TryDecode(garbled, cipher, out _, out _));
        Decrypt(d[4], cipher);
        Decrypt(d[5], cipher);
    }
}

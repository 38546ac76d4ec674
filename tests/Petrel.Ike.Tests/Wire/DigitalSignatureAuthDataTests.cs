using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Wire;

public class DigitalSignatureAuthDataTests
{
    [Fact]
    public void Algorithm_identifiers_have_their_der_encodings()
    {
        // DER written out from the ASN.1: SEQUENCE { OID, [NULL] }.
        Assert.Equal("300d06092a864886f70d01010b0500", Hex.Format(DigitalSignatureAuthData.RsaPkcs1Sha256));
        Assert.Equal("300d06092a864886f70d01010c0500", Hex.Format(DigitalSignatureAuthData.RsaPkcs1Sha384));
        Assert.Equal("300d06092a864886f70d01010d0500", Hex.Format(DigitalSignatureAuthData.RsaPkcs1Sha512));
        Assert.Equal("300a06082a8648ce3d040302", Hex.Format(DigitalSignatureAuthData.EcdsaSha256));
        Assert.Equal("300a06082a8648ce3d040303", Hex.Format(DigitalSignatureAuthData.EcdsaSha384));
        Assert.Equal("300a06082a8648ce3d040304", Hex.Format(DigitalSignatureAuthData.EcdsaSha512));
        Assert.Equal("300506032b6570", Hex.Format(DigitalSignatureAuthData.Ed25519));

        var pss = AlgorithmIdentifier.GetInstance(Asn1Object.FromByteArray(DigitalSignatureAuthData.RsaPssSha256));
        Assert.Equal(PkcsObjectIdentifiers.IdRsassaPss, pss.Algorithm);
        var parameters = RsassaPssParameters.GetInstance(pss.Parameters);
        Assert.Equal(32, parameters.SaltLength.IntValueExact);
        Assert.Equal("2.16.840.1.101.3.4.2.1", parameters.HashAlgorithm.Algorithm.Id);
    }

    [Fact]
    public void Auth_data_round_trips_and_rejects_inconsistent_lengths()
    {
        var signature = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        var data = DigitalSignatureAuthData.Build(DigitalSignatureAuthData.EcdsaSha256, signature);
        Assert.Equal(12, data[0]);
        Assert.True(DigitalSignatureAuthData.TryParse(data, out var algorithm, out var parsed, out string error), error);
        Assert.Equal(DigitalSignatureAuthData.EcdsaSha256, algorithm.ToArray());
        Assert.Equal(signature, parsed.ToArray());

        Assert.False(DigitalSignatureAuthData.TryParse(Array.Empty<byte>(), out _, out _, out _));
        Assert.False(DigitalSignatureAuthData.TryParse(data[..10], out _, out _, out _));          // cut inside the identifier
        Assert.False(DigitalSignatureAuthData.TryParse(data[..13], out _, out _, out _));          // no signature
        var wrongLength = (byte[])data.Clone();
        wrongLength[0] = 11;
        Assert.False(DigitalSignatureAuthData.TryParse(wrongLength, out _, out _, out _));
        var notSequence = (byte[])data.Clone();
        notSequence[1] = 0x31;
        Assert.False(DigitalSignatureAuthData.TryParse(notSequence, out _, out _, out _));
    }

    [Fact]
    public void Signature_hash_algorithms_notify_data()
    {
        var data = SignatureHashAlgorithms.Encode([HashAlgorithmId.Sha2_256, HashAlgorithmId.Sha2_384, HashAlgorithmId.Sha2_512, HashAlgorithmId.Identity]);
        Assert.Equal("0002000300040005", Hex.Format(data));
        Assert.True(SignatureHashAlgorithms.TryDecode(Hex.Parse("0002 0003 0004 0005 0063"), out var list, out _));
        Assert.Equal([HashAlgorithmId.Sha2_256, HashAlgorithmId.Sha2_384, HashAlgorithmId.Sha2_512, HashAlgorithmId.Identity, (HashAlgorithmId)99], list);
        Assert.False(SignatureHashAlgorithms.TryDecode(Hex.Parse("000200"), out _, out string error));
        Assert.Contains("16-bit", error);
    }

    [Fact]
    public void Captured_signature_hash_algorithms_notify_decodes()
    {
        var capture = Captures.Ikev2Capture.Load("ikev2-decrypt-aes256gcm16.pcap");
        Assert.Equal(IkeDecodeStatus.Success, IkeMessage.TryDecode(capture.Datagrams[0].Payload, null, out var m, out _));
        var notify = m!.GetNotify(NotifyType.SignatureHashAlgorithms)!;
        Assert.True(SignatureHashAlgorithms.TryDecode(notify.Data.Span, out var list, out _));
        Assert.Contains(HashAlgorithmId.Sha2_256, list);
    }
}

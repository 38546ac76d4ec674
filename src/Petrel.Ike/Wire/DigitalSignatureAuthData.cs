using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;

namespace Petrel.Ike.Wire;

//  RFC 7427 §3 Authentication Data for AUTH method 14 (Digital Signature)
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | ASN.1 Length  | AlgorithmIdentifier ASN.1 object              |
//  +-+-+-+-+-+-+-+-+                                               +
//  ~        AlgorithmIdentifier ASN.1 object continuing            ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                         Signature Value                       ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// <summary>
/// The Authentication Data of AUTH method 14 (RFC 7427 §3): a one-octet length, the DER AlgorithmIdentifier
/// of the signature scheme, then the signature. Also the AlgorithmIdentifiers of the schemes Petrel signs with.
/// </summary>
public static class DigitalSignatureAuthData
{
    /// <summary>sha256WithRSAEncryption with NULL parameters (RFC 7427 Appendix A.1.3).</summary>
    public static byte[] RsaPkcs1Sha256 { get; } = Der(new AlgorithmIdentifier(PkcsObjectIdentifiers.Sha256WithRsaEncryption, DerNull.Instance));
    public static byte[] RsaPkcs1Sha384 { get; } = Der(new AlgorithmIdentifier(PkcsObjectIdentifiers.Sha384WithRsaEncryption, DerNull.Instance));
    public static byte[] RsaPkcs1Sha512 { get; } = Der(new AlgorithmIdentifier(PkcsObjectIdentifiers.Sha512WithRsaEncryption, DerNull.Instance));

    /// <summary>ecdsa-with-SHA256/384/512, parameters absent (RFC 7427 Appendix A.3).</summary>
    public static byte[] EcdsaSha256 { get; } = Der(new AlgorithmIdentifier(X9ObjectIdentifiers.ECDsaWithSha256));
    public static byte[] EcdsaSha384 { get; } = Der(new AlgorithmIdentifier(X9ObjectIdentifiers.ECDsaWithSha384));
    public static byte[] EcdsaSha512 { get; } = Der(new AlgorithmIdentifier(X9ObjectIdentifiers.ECDsaWithSha512));

    /// <summary>id-Ed25519, parameters absent (RFC 8420 §2).</summary>
    public static byte[] Ed25519 { get; } = Der(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519));

    /// <summary>RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 7427 Appendix A.4.3).</summary>
    public static byte[] RsaPssSha256 { get; } = Der(new AlgorithmIdentifier(PkcsObjectIdentifiers.IdRsassaPss, new RsassaPssParameters(
        new AlgorithmIdentifier(NistObjectIdentifiers.IdSha256, DerNull.Instance),
        new AlgorithmIdentifier(PkcsObjectIdentifiers.IdMgf1, new AlgorithmIdentifier(NistObjectIdentifiers.IdSha256, DerNull.Instance)),
        DerInteger.ValueOf(32),
        DerInteger.ValueOf(1))));

    private static byte[] Der(AlgorithmIdentifier id) => id.GetEncoded(Asn1Encodable.Der);

    public static byte[] Build(ReadOnlySpan<byte> algorithmIdentifier, ReadOnlySpan<byte> signature)
    {
        if (algorithmIdentifier.Length > byte.MaxValue)
            throw new ArgumentException("an AlgorithmIdentifier longer than 255 octets does not fit RFC 7427's length octet", nameof(algorithmIdentifier));
        var data = new byte[1 + algorithmIdentifier.Length + signature.Length];
        data[0] = (byte)algorithmIdentifier.Length;
        algorithmIdentifier.CopyTo(data.AsSpan(1));
        signature.CopyTo(data.AsSpan(1 + algorithmIdentifier.Length));
        return data;
    }

    public static bool TryParse(ReadOnlyMemory<byte> data, out ReadOnlyMemory<byte> algorithmIdentifier, out ReadOnlyMemory<byte> signature, out string error)
    {
        algorithmIdentifier = signature = default;
        var span = data.Span;
        if (span.Length < 1 || span[0] == 0 || span.Length < 1 + span[0])
        {
            error = "AUTH data is too short for its AlgorithmIdentifier";
            return false;
        }
        int length = span[0];
        // The AlgorithmIdentifier must be one DER SEQUENCE filling exactly the announced length.
        if (span[1] != 0x30 || span.Length < 3 || span[2] >= 0x80 || 2 + span[2] != length)
        {
            error = "AUTH AlgorithmIdentifier is not a DER SEQUENCE of the announced length";
            return false;
        }
        algorithmIdentifier = data.Slice(1, length);
        signature = data[(1 + length)..];
        if (signature.IsEmpty)
        {
            error = "AUTH data has no signature";
            return false;
        }
        error = "";
        return true;
    }
}

namespace Petrel.Ike.Wire;

/// <summary>Certificate encodings of CERT/CERTREQ (RFC 7296 §3.6, IANA "IKEv2 Certificate Encodings").</summary>
public enum CertificateEncoding : byte
{
    Pkcs7WrappedX509 = 1,
    Pgp = 2,
    DnsSignedKey = 3,
    X509Signature = 4,
    Kerberos = 6,
    CertificateRevocationList = 7,
    AuthorityRevocationList = 8,
    SpkiCertificate = 9,
    X509Attribute = 10,
    RawRsaKey = 11,
    HashAndUrlX509 = 12,
    HashAndUrlX509Bundle = 13,
    /// <summary>RFC 4806.</summary>
    OcspContent = 14,
    /// <summary>RFC 7670.</summary>
    RawPublicKey = 15,
}

using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;

namespace Petrel.Ike.Tests.Certificates;

/// <summary>A small test PKI: a root CA, an intermediate and end entities, with times relative to a fixed "now".</summary>
internal sealed class TestPki
{
    public static readonly DateTime Now = new(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    public TestPki(KeyKind kind = KeyKind.Ecdsa, int bits = 256)
    {
        RootKey = CertificateBuilder.GenerateKey(kind, bits);
        Root = CertificateBuilder.SelfSignedCa(RootKey, "C=CH, O=Petrel Test, CN=Root CA", Now.AddYears(-1), Now.AddYears(5));
        IntermediateKey = CertificateBuilder.GenerateKey(kind, bits);
        Intermediate = CertificateBuilder.Issue(IntermediateKey.PublicKey, "C=CH, O=Petrel Test, CN=Intermediate CA", [],
            Root, RootKey, Now.AddYears(-1), Now.AddYears(4), isCa: true);
    }

    public PrivateKey RootKey { get; }
    public X509Certificate Root { get; }
    public PrivateKey IntermediateKey { get; }
    public X509Certificate Intermediate { get; }

    public (X509Certificate Cert, PrivateKey Key) Issue(string dn, string[]? sans = null, bool viaIntermediate = true,
        DateTime? notBefore = null, DateTime? notAfter = null, KeyKind kind = KeyKind.Ecdsa, int bits = 256)
    {
        var key = CertificateBuilder.GenerateKey(kind, bits);
        var cert = CertificateBuilder.Issue(key.PublicKey, dn, sans ?? [],
            viaIntermediate ? Intermediate : Root, viaIntermediate ? IntermediateKey : RootKey,
            notBefore ?? Now.AddDays(-10), notAfter ?? Now.AddDays(365));
        return (cert, key);
    }
}

using Petrel.Ike.Certificates;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Certificates;

public class CertificateIdentityTests
{
    private static readonly TestPki Pki = new();
    private static readonly Org.BouncyCastle.X509.X509Certificate Moon = Pki.Issue(
        "C=CH, O=strongSwan, OU=Gateways, CN=moon.strongswan.org",
        ["moon.strongswan.org", "vpn@strongswan.org", "192.0.2.1", "2001:db8::1"]).Cert;

    [Theory]
    [InlineData("C=CH, O=strongSwan, OU=Gateways, CN=moon.strongswan.org")]
    [InlineData("c=ch, o=STRONGSWAN, ou=gateways, cn=MOON.strongswan.org")]
    [InlineData("C=CH, O=strongSwan, OU=Gateways, CN=*")]
    [InlineData("C=CH, O=*, OU=*, CN=moon.strongswan.org")]
    [InlineData("moon.strongswan.org")]
    [InlineData("@moon.strongswan.org")]
    [InlineData("*.strongswan.org")]
    [InlineData("vpn@strongswan.org")]
    [InlineData("*@strongswan.org")]
    [InlineData("192.0.2.1")]
    [InlineData("2001:db8::1")]
    [InlineData("%any")]
    public void Configured_identity_matches_subject_or_subjectAltName(string id)
    {
        Assert.True(CertificateIdentity.Matches(Identity.Parse(id), Moon), id);
    }

    [Theory]
    // Full-subject match: fewer, more or reordered RDNs are different DNs even when every value agrees.
    [InlineData("C=CH, O=strongSwan, CN=moon.strongswan.org")]
    [InlineData("C=CH, O=strongSwan, OU=Gateways, CN=moon.strongswan.org, E=x@y")]
    [InlineData("O=strongSwan, C=CH, OU=Gateways, CN=moon.strongswan.org")]
    [InlineData("C=CH, O=strongSwan, OU=Gateways, CN=sun.strongswan.org")]
    // A wildcard stands for a whole RDN value only, not for part of it.
    [InlineData("C=CH, O=strongSwan, OU=Gateways, CN=moon*")]
    [InlineData("sun.strongswan.org")]
    [InlineData("*.example.org")]
    [InlineData("carol@strongswan.org")]
    [InlineData("192.0.2.2")]
    // The subject's CN is not a DNS subjectAltName: strongSwan does not match an FQDN against it.
    [InlineData("Gateways")]
    public void Other_identities_do_not_match(string id)
    {
        Assert.False(CertificateIdentity.Matches(Identity.Parse(id), Moon), id);
    }

    [Fact]
    public void Subject_identity_is_the_DN_as_strongSwan_prints_it()
    {
        Assert.Equal("C=CH, O=strongSwan, OU=Gateways, CN=moon.strongswan.org", CertificateIdentity.Subject(Moon).ToString());
        var sans = CertificateIdentity.SubjectAltNames(Moon).Select(s => s.ToString()).ToArray();
        Assert.Equal(["moon.strongswan.org", "vpn@strongswan.org", "192.0.2.1", "2001:db8::1"], sans);
    }

    [Fact]
    public void Mismatch_reason_lists_what_the_certificate_carries()
    {
        string reason = CertificateIdentity.MismatchReason(Identity.Parse("sun.strongswan.org"), Moon);
        Assert.Contains("'sun.strongswan.org'", reason);
        Assert.Contains("CN=moon.strongswan.org", reason);
        Assert.Contains("'192.0.2.1'", reason);
    }

    [Fact]
    public void Key_id_identity_matches_the_subject_key_identifier()
    {
        var ski = Org.BouncyCastle.Asn1.X509.SubjectKeyIdentifier.GetInstance(
            Org.BouncyCastle.X509.Extension.X509ExtensionUtilities.FromExtensionValue(
                Moon.GetExtensionValue(Org.BouncyCastle.Asn1.X509.X509Extensions.SubjectKeyIdentifier))).GetKeyIdentifier();
        Assert.True(CertificateIdentity.Matches(Identity.Parse("@#" + Convert.ToHexString(ski)), Moon));
        Assert.False(CertificateIdentity.Matches(Identity.Parse("@#0011223344"), Moon));
    }
}

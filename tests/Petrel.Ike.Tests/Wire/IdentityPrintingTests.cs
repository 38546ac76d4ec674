using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Wire;

/// <summary>
/// A peer picks its identity's bytes: control characters in it must not reach a log line or a listing
/// (a newline forges a log line, an escape sequence rewrites the operator's terminal, a bidi override hides text).
/// </summary>
public class IdentityPrintingTests
{
    [Theory]
    [InlineData(IdType.Fqdn, "gw.example\n2026-12-07T00:00:00Z crit forged line", "gw.example?2026-12-07T00:00:00Z crit forged line")]
    [InlineData(IdType.Fqdn, "a\rb\tc\u007fd", "a?b?c?d")]
    [InlineData(IdType.Rfc822Address, "carol@\u001b[2Jexample.org", "carol@?[2Jexample.org")]
    [InlineData(IdType.Rfc822Address, "user\u0085@example.org", "user?@example.org")]
    [InlineData(IdType.Fqdn, "admin\u202Egro.elpmaxe", "admin?gro.elpmaxe")]
    [InlineData(IdType.Fqdn, "grüße.example", "grüße.example")]
    public void Peer_names_print_without_control_characters(IdType type, string wire, string printed)
    {
        var id = new Identity(type, Encoding.UTF8.GetBytes(wire));
        Assert.Equal(printed, id.ToString());
    }

    [Fact]
    public void Distinguished_name_values_print_without_control_characters()
    {
        var dn = new X509Name([X509Name.O, X509Name.CN], new[] { "Example\r\nInc", "moon\u001b]0;owned\u0007" });
        var id = new Identity(IdType.DerAsn1Dn, dn.GetEncoded(Asn1Encodable.Der));
        string text = id.ToString();
        Assert.DoesNotContain('\n', text);
        Assert.DoesNotContain('\u001b', text);
        Assert.Equal("O=Example??Inc, CN=moon?]0;owned?", text);
    }

    [Fact]
    public void Printable_leaves_clean_text_as_it_is()
    {
        const string clean = "C=CH, O=strongSwan, CN=moon.strongswan.org";
        Assert.Same(clean, Identity.Printable(clean));
    }
}

using System.Text;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Wire;

public class IdentityTests
{
    [Theory]
    [InlineData("198.18.0.1", IdType.Ipv4Address, "c6120001")]
    [InlineData("2001:db8::1", IdType.Ipv6Address, "20010db8000000000000000000000001")]
    [InlineData("@moon.strongswan.org", IdType.Fqdn, "6d6f6f6e2e7374726f6e677377616e2e6f7267")]
    [InlineData("moon.strongswan.org", IdType.Fqdn, "6d6f6f6e2e7374726f6e677377616e2e6f7267")]
    [InlineData("moon", IdType.Fqdn, "6d6f6f6e")]
    [InlineData("carol@strongswan.org", IdType.Rfc822Address, "6361726f6c40737472")]
    [InlineData("@#0123abcd", IdType.KeyId, "0123abcd")]
    [InlineData("fqdn:198.18.0.1", IdType.Fqdn, "3139382e31382e302e31")]
    [InlineData("keyid:01:02:03", IdType.KeyId, "010203")]
    public void Parses_strongswan_notation_to_type_and_data(string text, IdType type, string dataPrefix)
    {
        var id = Identity.Parse(text);
        Assert.Equal(type, id.Type);
        Assert.StartsWith(dataPrefix, Hex.Format(id.Data.Span));
    }

    [Theory]
    [InlineData("%any")]
    [InlineData("%any6")]
    [InlineData("")]
    public void Any_forms_are_the_wildcard(string text)
    {
        var any = Identity.Parse(text);
        Assert.True(any.IsAny);
        Assert.Equal("%any", any.ToString());
        Assert.True(any.Matches(Identity.Parse("carol@strongswan.org")));
        Assert.True(any.Matches(Identity.Parse("C=CH, O=strongSwan, CN=moon")));
    }

    [Fact]
    public void Distinguished_names_encode_as_der_and_print_as_strongswan_does()
    {
        var dn = Identity.Parse("C=CH, O=strongSwan, CN=moon.strongswan.org");
        Assert.Equal(IdType.DerAsn1Dn, dn.Type);
        Assert.Equal(0x30, dn.Data.Span[0]); // DER SEQUENCE (RDNSequence)
        Assert.Equal("C=CH, O=strongSwan, CN=moon.strongswan.org", dn.ToString());
        // Spacing around separators is not significant.
        Assert.Equal(dn, Identity.Parse("C=CH,O=strongSwan,CN=moon.strongswan.org"));
        Assert.NotEqual(dn, Identity.Parse("C=CH, O=strongSwan, CN=sun.strongswan.org"));
    }

    [Theory]
    [InlineData("198.18.0.1")]
    [InlineData("2001:db8::1")]
    [InlineData("carol@strongswan.org")]
    [InlineData("C=CH, O=strongSwan, OU=Research, CN=carol@strongswan.org")]
    public void Printing_a_parsed_identity_gives_its_text_back(string text)
    {
        Assert.Equal(text, Identity.Parse(text).ToString());
    }

    [Fact]
    public void Fqdn_prints_without_the_at_sign_and_key_ids_in_hex()
    {
        Assert.Equal("moon.strongswan.org", Identity.Parse("@moon.strongswan.org").ToString());
        Assert.Equal("01:23:ab:cd", Identity.Parse("@#0123abcd").ToString());
    }

    [Theory]
    [InlineData("*.strongswan.org", "moon.strongswan.org", true)]
    [InlineData("*.strongswan.org", "MOON.StrongSwan.org", true)]
    [InlineData("*.strongswan.org", "moon.example.org", false)]
    [InlineData("*@strongswan.org", "carol@strongswan.org", true)]
    [InlineData("*@strongswan.org", "carol@example.org", false)]
    [InlineData("@moon.strongswan.org", "moon.strongswan.org", true)]
    [InlineData("moon.strongswan.org", "sun.strongswan.org", false)]
    [InlineData("C=CH, O=strongSwan, CN=*", "C=CH, O=strongSwan, CN=carol@strongswan.org", true)]
    [InlineData("C=CH, O=strongSwan, CN=*", "C=CH, O=Other, CN=carol", false)]
    [InlineData("C=CH, O=strongSwan, CN=*", "C=CH, O=strongSwan, OU=x, CN=carol", false)]
    [InlineData("198.18.0.1", "198.18.0.1", true)]
    [InlineData("198.18.0.1", "198.18.0.2", false)]
    [InlineData("*.strongswan.org", "198.18.0.1", false)]
    public void Matching_with_wildcards_as_strongswan_allows(string pattern, string id, bool matches)
    {
        var p = Identity.Parse(pattern);
        Assert.Equal(matches, p.Matches(Identity.Parse(id)));
        Assert.Equal(pattern.Contains('*'), p.HasWildcards);
    }

    [Fact]
    public void Equality_and_hashing_are_case_insensitive_for_names_only()
    {
        Assert.Equal(Identity.Parse("Moon.StrongSwan.org"), Identity.Parse("moon.strongswan.org"));
        Assert.Equal(Identity.Parse("Moon.StrongSwan.org").GetHashCode(), Identity.Parse("moon.strongswan.org").GetHashCode());
        Assert.NotEqual(Identity.Parse("@#aabb"), Identity.Parse("@#aabc"));
        Assert.NotEqual(Identity.Parse("moon"), Identity.Parse("moon@x"));
    }

    /// <summary>The DER strongSwan 5.9.8's pki writes for the same text (openssl asn1parse of its certificates).</summary>
    [Theory]
    [InlineData("C=CH, O=strongSwan, CN=moon.strongswan.org, E=moon@strongswan.org",
        "3064310b300906035504061302434831133011060355040a130a7374726f6e675377616e311c301a060355040313136d6f6f6e2e7374726f6e677377616e2e6f72673122302006092a864886f70d01090116136d6f6f6e407374726f6e677377616e2e6f7267")]
    [InlineData("C=CH, CN=Zürich Gateway", "3027310b30090603550406130243483118301606035504030c0f5ac3bc726963682047617465776179")]
    public void Distinguished_names_encode_byte_for_byte_as_strongswan_does(string text, string der)
    {
        Assert.Equal(der, Convert.ToHexStringLower(Identity.Parse(text).Data.Span));
        Assert.Equal(der, Convert.ToHexStringLower(DistinguishedName.ToDer(text)));
        Assert.Equal(text, DistinguishedName.FromDer(Convert.FromHexString(der)));
    }

    [Fact]
    public void Asn1dn_prefix_allows_equals_and_colons_in_values()
    {
        var id = Identity.Parse("asn1dn:C=CH, O=strongSwan, CN=gw:4500 role=edge");
        Assert.Equal(IdType.DerAsn1Dn, id.Type);
        Assert.Equal("C=CH, O=strongSwan, CN=gw:4500 role=edge", id.ToString());
        Assert.Equal(id, Identity.Parse("asn1dn:#" + Convert.ToHexString(id.Data.Span)));
        Assert.Equal(Identity.Parse("C=CH, O=strongSwan, CN=moon"), Identity.Parse("asn1dn:C=CH, O=strongSwan, CN=moon"));
        Assert.False(Identity.TryParse("asn1dn:#3003", out _, out string error));
        Assert.Contains("asn1dn:#3003", error);
        Assert.Null(DistinguishedName.FromDer([0x30, 0x05, 0x01]));
    }

    [Fact]
    public void Invalid_key_id_and_dn_are_errors_naming_the_text()
    {
        Assert.False(Identity.TryParse("@#xyz", out _, out string error));
        Assert.Contains("@#xyz", error);
        var ex = Assert.Throws<FormatException>(() => Identity.Parse("FOO=bar, CN=x"));
        Assert.Contains("FOO=bar", ex.Message);
    }

    [Fact]
    public void Identity_from_the_wire_with_garbage_dn_still_prints()
    {
        var garbage = new Identity(IdType.DerAsn1Dn, [0x30, 0x05, 0x01]);
        Assert.False(string.IsNullOrEmpty(garbage.ToString()));
        Assert.False(Identity.Parse("C=CH, CN=*").Matches(garbage));
        var payload = new IdentificationPayload(false, Identity.Parse("carol@strongswan.org"));
        Assert.Equal(IdType.Rfc822Address, payload.IdType);
        Assert.Equal("carol@strongswan.org", Encoding.UTF8.GetString(payload.Data.Span));
    }

    /// <summary>fuzz/crashes/ike-sk/crash-55d2f092bebcf93c: an empty ID_DER_ASN1_DN threw NullReferenceException when printed or matched.</summary>
    [Fact]
    public void Empty_dn_from_the_wire_prints_and_matches_nothing()
    {
        var empty = new Identity(IdType.DerAsn1Dn, []);
        Assert.Equal("(9)", empty.ToString());
        Assert.False(empty.HasWildcards);
        Assert.False(Identity.Parse("C=CH, CN=*").Matches(empty));
        Assert.False(empty.Matches(Identity.Parse("C=CH, CN=moon")));
    }
}

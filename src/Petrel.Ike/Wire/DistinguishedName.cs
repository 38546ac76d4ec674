using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;

namespace Petrel.Ike.Wire;

/// <summary>
/// Distinguished names written as strongSwan writes them ("C=CH, O=strongSwan, CN=moon.strongswan.org", RDNs in
/// the order given, X.501 acronyms) to and from DER. Values are encoded as strongSwan's parser encodes them:
/// PrintableString when every character is in the PrintableString set (X.680 §41.4), otherwise UTF8String;
/// e-mail addresses and domain components as IA5String; "#hex" as the DER value itself (RFC 4514 §2.4).
/// strongSwan compares DN values regardless of the string type, but matching its encoding keeps IDs byte-equal
/// to what a strongSwan peer sends for the same text.
/// </summary>
public static class DistinguishedName
{
    /// <summary>Parses the text; throws <see cref="FormatException"/> with the reason.</summary>
    public static X509Name Parse(string text)
    {
        X509Name name;
        try
        {
            name = new X509Name(false, X509Name.DefaultLookup, text, StrongSwanEntryConverter.Instance);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or Asn1Exception or IOException)
        {
            throw new FormatException($"'{text}' is not a distinguished name like \"C=CH, O=strongSwan, CN=moon\": {e.Message}");
        }
        if (name.GetOidList().Count == 0)
            throw new FormatException($"'{text}' is not a distinguished name like \"C=CH, O=strongSwan, CN=moon\": no RDNs");
        return name;
    }

    /// <summary>The DER encoding (the data of an ID_DER_ASN1_DN identity).</summary>
    public static byte[] ToDer(string text) => Parse(text).GetEncoded(Asn1Encodable.Der);

    /// <summary>The text of a DER DN, or null when the bytes are not one.</summary>
    public static string? FromDer(ReadOnlySpan<byte> der)
    {
        byte[] bytes = der.ToArray();
        try
        {
            X509Name.GetInstance(Asn1Object.FromByteArray(bytes));
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidCastException or Asn1Exception or InvalidOperationException)
        {
            return null;
        }
        return new Identity(IdType.DerAsn1Dn, bytes).ToString();
    }

    /// <summary>X.680 §41.4 PrintableString characters.</summary>
    public static bool IsPrintableString(string value)
    {
        foreach (char c in value)
        {
            bool ok = c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9'
                or ' ' or '\'' or '(' or ')' or '+' or ',' or '-' or '.' or '/' or ':' or '=' or '?';
            if (!ok) return false;
        }
        return true;
    }

    private sealed class StrongSwanEntryConverter : X509NameEntryConverter
    {
        public static readonly StrongSwanEntryConverter Instance = new();

        public override Asn1Object GetConvertedValue(DerObjectIdentifier oid, string value)
        {
            if (value.Length > 1 && value[0] == '#')
                return ConvertHexEncoded(value, 1);
            if (oid.Equals(PkcsObjectIdentifiers.Pkcs9AtEmailAddress) || oid.Equals(X509Name.DC))
                return new DerIA5String(value);
            return IsPrintableString(value) ? new DerPrintableString(value) : new DerUtf8String(value);
        }
    }
}

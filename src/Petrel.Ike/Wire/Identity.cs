using System.Net;
using System.Net.Sockets;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace Petrel.Ike.Wire;

/// <summary>
/// An IKE identity (RFC 7296 §3.5): ID type and data, parsed from and printed as strongSwan writes them
/// ("198.18.0.1", "2001:db8::1", "@moon.strongswan.org", "carol@strongswan.org", "@#0123ab",
/// "C=CH, O=strongSwan, CN=moon", "%any"). Patterns may use "*" as strongSwan allows: a leading "*" in
/// FQDN/RFC822 identities ("*.strongswan.org", "*@strongswan.org") and "*" as a whole RDN value in DNs.
/// </summary>
public sealed class Identity : IEquatable<Identity>
{
    private readonly byte[] _data;

    public Identity(IdType type, byte[] data)
    {
        Type = type;
        _data = data;
    }

    /// <summary>strongSwan's %any: matches every identity.</summary>
    public static Identity Any { get; } = new(IdType.Any, []);

    public IdType Type { get; }
    public ReadOnlyMemory<byte> Data => _data;
    public bool IsAny => Type == IdType.Any;

    /// <summary>Whether this identity, used as a pattern, contains wildcards (or is %any).</summary>
    public bool HasWildcards => Type switch
    {
        IdType.Any => true,
        IdType.Fqdn or IdType.Rfc822Address => _data.Length > 0 && _data[0] == (byte)'*',
        IdType.DerAsn1Dn => TryGetRdns(out var rdns) && rdns.Exists(r => r.Value == "*"),
        _ => false,
    };

    public static Identity FromAddress(IPAddress address) =>
        new(address.AddressFamily == AddressFamily.InterNetwork ? IdType.Ipv4Address : IdType.Ipv6Address, address.GetAddressBytes());

    /// <summary>Parses strongSwan's identity notation. Throws <see cref="FormatException"/> naming the text (config errors).</summary>
    public static Identity Parse(string text) =>
        TryParse(text, out var identity, out string error) ? identity! : throw new FormatException(error);

    public static bool TryParse(string text, out Identity? identity, out string error)
    {
        identity = null;
        error = "";
        string s = text.Trim();
        if (s is "" or "%any" or "%any6" or "*" or "0.0.0.0" or "::")
        {
            identity = Any;
            return true;
        }

        // "asn1dn:" first: a DN value may itself contain '=' and ':' ("asn1dn:C=CH, CN=host:500").
        if (s.StartsWith("asn1dn:", StringComparison.OrdinalIgnoreCase))
            return TryParseDn(s[7..], text, out identity, out error);

        // Explicit type prefixes as strongSwan accepts them ("fqdn:", "email:", "keyid:" ...).
        int colon = s.IndexOf(':');
        if (colon > 0 && s.IndexOf('=') < 0)
        {
            string prefix = s[..colon].ToLowerInvariant();
            string rest = s[(colon + 1)..];
            switch (prefix)
            {
                case "ipv4" when IPAddress.TryParse(rest, out var a4) && a4.AddressFamily == AddressFamily.InterNetwork:
                    identity = FromAddress(a4); return true;
                case "ipv6" when IPAddress.TryParse(rest, out var a6) && a6.AddressFamily == AddressFamily.InterNetworkV6:
                    identity = FromAddress(a6); return true;
                case "fqdn" or "dns":
                    identity = new Identity(IdType.Fqdn, Encoding.UTF8.GetBytes(rest)); return true;
                case "rfc822" or "email" or "userfqdn":
                    identity = new Identity(IdType.Rfc822Address, Encoding.UTF8.GetBytes(rest)); return true;
                case "keyid":
                    return TryParseKeyId(rest, text, out identity, out error);
            }
        }

        if (s.IndexOf('=') > 0)
            return TryParseDn(s, text, out identity, out error);

        if (s[0] == '@')
        {
            if (s.StartsWith("@#", StringComparison.Ordinal))
                return TryParseKeyId(s[2..], text, out identity, out error);
            if (s.StartsWith("@@", StringComparison.Ordinal))
            {
                identity = new Identity(IdType.Rfc822Address, Encoding.UTF8.GetBytes(s[2..]));
                return true;
            }
            identity = new Identity(IdType.Fqdn, Encoding.UTF8.GetBytes(s[1..]));
            return true;
        }
        if (s.Contains('@'))
        {
            identity = new Identity(IdType.Rfc822Address, Encoding.UTF8.GetBytes(s));
            return true;
        }
        if (IPAddress.TryParse(s, out var address) && (s.Contains(':') || s.Count(c => c == '.') == 3))
        {
            identity = FromAddress(address);
            return true;
        }
        // strongSwan: a bare string that is neither an address nor has '@' is an FQDN.
        identity = new Identity(IdType.Fqdn, Encoding.UTF8.GetBytes(s));
        return true;
    }

    private static bool TryParseKeyId(string hex, string text, out Identity? identity, out string error)
    {
        try
        {
            identity = new Identity(IdType.KeyId, Convert.FromHexString(hex.Replace(":", "")));
            error = "";
            return true;
        }
        catch (FormatException)
        {
            identity = null;
            error = $"identity '{text}': key id '{hex}' is not hexadecimal";
            return false;
        }
    }

    private static bool TryParseDn(string dn, string text, out Identity? identity, out string error)
    {
        try
        {
            // strongSwan's "asn1dn:#30..." is the DER itself.
            byte[] der = dn.StartsWith('#') ? Convert.FromHexString(dn[1..]) : DistinguishedName.ToDer(dn);
            if (dn.StartsWith('#')) X509Name.GetInstance(Asn1Object.FromByteArray(der));
            identity = new Identity(IdType.DerAsn1Dn, der);
            error = "";
            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or Asn1Exception or IOException or InvalidCastException)
        {
            identity = null;
            error = $"identity '{text}' is not a valid distinguished name: {e.Message}";
            return false;
        }
    }

    private readonly record struct Rdn(string Oid, string Value);

    private bool TryGetRdns(out List<Rdn> rdns)
    {
        rdns = [];
        try
        {
            // FromByteArray gives null for no bytes at all: an empty ID_DER_ASN1_DN (found by fuzzing, issue 12).
            if (X509Name.GetInstance(Asn1Object.FromByteArray(_data)) is not { } name)
                return false;
            var oids = name.GetOidList();
            var values = name.GetValueList();
            for (int i = 0; i < oids.Count; i++)
                rdns.Add(new Rdn(oids[i].Id, values[i]));
            return true;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidCastException or Asn1Exception or InvalidOperationException)
        {
            return false;
        }
    }

    private static readonly Dictionary<string, string> DnSymbols = new()
    {
        ["2.5.4.6"] = "C", ["2.5.4.8"] = "ST", ["2.5.4.7"] = "L", ["2.5.4.10"] = "O", ["2.5.4.11"] = "OU",
        ["2.5.4.3"] = "CN", ["2.5.4.4"] = "SN", ["2.5.4.5"] = "serialNumber", ["2.5.4.42"] = "G", ["2.5.4.12"] = "T",
        ["2.5.4.43"] = "I", ["2.5.4.46"] = "dnQualifier", ["2.5.4.65"] = "ID", ["2.5.4.9"] = "street",
        ["2.5.4.17"] = "postalCode", ["1.2.840.113549.1.9.1"] = "E", ["0.9.2342.19200300.100.1.25"] = "DC",
        ["0.9.2342.19200300.100.1.1"] = "UID",
    };

    /// <summary>strongSwan's rendering: addresses, names as given, "C=CH, O=strongSwan, CN=moon" for DNs, %any.</summary>
    public override string ToString()
    {
        switch (Type)
        {
            case IdType.Any:
                return "%any";
            case IdType.Ipv4Address when _data.Length == 4:
            case IdType.Ipv6Address when _data.Length == 16:
                return new IPAddress(_data).ToString();
            case IdType.Fqdn:
            case IdType.Rfc822Address:
                return Printable(Encoding.UTF8.GetString(_data));
            case IdType.KeyId:
                return IsPrintable(_data) ? Encoding.ASCII.GetString(_data) : HexWithColons(_data);
            case IdType.DerAsn1Dn when TryGetRdns(out var rdns):
                return string.Join(", ", rdns.Select(r => $"{(DnSymbols.TryGetValue(r.Oid, out var sym) ? sym : r.Oid)}={Printable(r.Value)}"));
            case IdType.Null:
                return "(null)";
            default:
                return $"({(byte)Type}){HexWithColons(_data)}";
        }
    }

    /// <summary>
    /// A peer-chosen string made safe for a log line or a listing: control characters (C0, DEL, C1: newlines
    /// that would forge log lines, terminal escapes) and invisible format characters (bidi overrides) become '?',
    /// as strongSwan prints unprintable identity characters.
    /// </summary>
    public static string Printable(string value)
    {
        int i = 0;
        while (i < value.Length && !Unsafe(value[i])) i++;
        if (i == value.Length) return value;
        var chars = value.ToCharArray();
        for (; i < chars.Length; i++)
            if (Unsafe(chars[i])) chars[i] = '?';
        return new string(chars);

        static bool Unsafe(char c) => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format;
    }

    private static bool IsPrintable(byte[] data)
    {
        if (data.Length == 0) return false;
        foreach (byte b in data)
            if (b < 0x20 || b > 0x7e) return false;
        return true;
    }

    private static string HexWithColons(byte[] data) => string.Join(":", data.Select(b => b.ToString("x2")));

    /// <summary>
    /// Whether other (a peer's concrete identity) matches this one used as a pattern: %any matches all;
    /// otherwise the types must agree and the data be equal, or match a wildcard pattern.
    /// </summary>
    public bool Matches(Identity other)
    {
        if (IsAny) return true;
        if (Type != other.Type) return false;
        if (Equals(other)) return true;
        switch (Type)
        {
            case IdType.Fqdn:
            case IdType.Rfc822Address:
                // strongSwan supports a single leading '*' that stands for any prefix.
                if (_data.Length == 0 || _data[0] != (byte)'*') return false;
                string suffix = Encoding.UTF8.GetString(_data, 1, _data.Length - 1);
                return Encoding.UTF8.GetString(other._data).EndsWith(suffix, StringComparison.OrdinalIgnoreCase);
            case IdType.DerAsn1Dn:
                if (!TryGetRdns(out var mine) || !other.TryGetRdns(out var theirs) || mine.Count != theirs.Count) return false;
                for (int i = 0; i < mine.Count; i++)
                {
                    if (mine[i].Oid != theirs[i].Oid) return false;
                    if (mine[i].Value != "*" && !string.Equals(mine[i].Value, theirs[i].Value, StringComparison.OrdinalIgnoreCase)) return false;
                }
                return true;
            default:
                return false;
        }
    }

    public bool Equals(Identity? other)
    {
        if (other is null || other.Type != Type) return false;
        // FQDN and e-mail identities compare case-insensitively, as DNS names do.
        if (Type is IdType.Fqdn or IdType.Rfc822Address)
            return string.Equals(Encoding.UTF8.GetString(_data), Encoding.UTF8.GetString(other._data), StringComparison.OrdinalIgnoreCase);
        return _data.AsSpan().SequenceEqual(other._data);
    }

    public override bool Equals(object? obj) => Equals(obj as Identity);

    public override int GetHashCode()
    {
        if (Type is IdType.Fqdn or IdType.Rfc822Address)
            return HashCode.Combine(Type, StringComparer.OrdinalIgnoreCase.GetHashCode(Encoding.UTF8.GetString(_data)));
        var h = new HashCode();
        h.Add(Type);
        h.AddBytes(_data);
        return h.ToHashCode();
    }
}

using System.Globalization;
using System.Net;
using System.Text;

namespace Petrel.Config;

/// <summary>
/// Value syntaxes of swanctl.conf(5): times ("4h", "30m", "90s", "1d", plain seconds),
/// byte/packet counts ("1G", "500k"), booleans, comma-separated lists, addresses and
/// shared secrets ("text", 0x hex, 0s Base64). Errors name the entry's file, line and key.
/// </summary>
public static class SettingValues
{
    public static TimeSpan Time(SettingsEntry e, string where)
    {
        var v = e.Value.Trim();
        if (v.Length == 0)
            throw Error(e, where, "needs a time such as 90s, 30m, 4h or 1d");
        char unit = v[^1];
        long multiplier = unit switch
        {
            's' or 'S' => 1,
            'm' or 'M' => 60,
            'h' or 'H' => 3600,
            'd' or 'D' => 86400,
            _ => 0,
        };
        string digits = multiplier == 0 ? v : v[..^1].TrimEnd();
        if (multiplier == 0) multiplier = 1;
        if (digits.Length == 0 || !ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) || n > (ulong)(TimeSpan.MaxValue.TotalSeconds / multiplier / 2))
            throw Error(e, where, $"'{e.Value}' is not a time (use e.g. 90s, 30m, 4h, 1d or plain seconds)");
        return TimeSpan.FromSeconds((double)n * multiplier);
    }

    /// <summary>Byte or packet counts with optional k/m/g suffix (powers of 1024, as strongSwan).</summary>
    public static ulong Count(SettingsEntry e, string where)
    {
        var v = e.Value.Trim();
        if (v.Length == 0)
            throw Error(e, where, "needs a number such as 500k or 1G");
        ulong multiplier = v[^1] switch
        {
            'k' or 'K' => 1UL << 10,
            'm' or 'M' => 1UL << 20,
            'g' or 'G' => 1UL << 30,
            't' or 'T' => 1UL << 40,
            _ => 0,
        };
        string digits = multiplier == 0 ? v : v[..^1].TrimEnd();
        if (multiplier == 0) multiplier = 1;
        if (digits.Length == 0 || !ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) || n > ulong.MaxValue / multiplier)
            throw Error(e, where, $"'{e.Value}' is not a count (use e.g. 1000, 500k, 1G)");
        return n * multiplier;
    }

    public static bool Bool(SettingsEntry e, string where) => e.Value.Trim().ToLowerInvariant() switch
    {
        "yes" or "true" or "enabled" or "1" => true,
        "no" or "false" or "disabled" or "0" => false,
        _ => throw Error(e, where, $"'{e.Value}' is not yes or no"),
    };

    public static int Integer(SettingsEntry e, string where, int min, int max)
    {
        if (!int.TryParse(e.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
            throw Error(e, where, $"'{e.Value}' is not a number from {min} to {max}");
        return n;
    }

    /// <summary>An integer that may be negative ("-10"), within [min, max].</summary>
    public static int SignedInteger(SettingsEntry e, string where, int min, int max)
    {
        if (!int.TryParse(e.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
            throw Error(e, where, $"'{e.Value}' is not a number from {min} to {max}");
        return n;
    }

    /// <summary>One of a fixed set of words (case-insensitive); returns the lowercase word.</summary>
    public static string OneOf(SettingsEntry e, string where, params string[] allowed)
    {
        string v = e.Value.Trim().ToLowerInvariant();
        if (Array.IndexOf(allowed, v) < 0)
            throw Error(e, where, $"'{e.Value}' is not one of {string.Join(", ", allowed)}");
        return v;
    }

    /// <summary>Comma-separated list; empty items dropped, items trimmed.</summary>
    public static List<string> List(SettingsEntry e) =>
        [.. e.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>
    /// An address list entry of local_addrs/remote_addrs: %any, %any4, %any6, an IP, a CIDR
    /// subnet, a range "a-b", or a DNS name (resolved when used).
    /// </summary>
    public static List<string> Addresses(SettingsEntry e, string where)
    {
        var items = List(e);
        foreach (var a in items)
        {
            if (!IsAddress(a))
                throw Error(e, where, $"'{a}' is not an address, subnet, range, %any or host name");
        }
        return items;
    }

    private static bool IsAddress(string a)
    {
        if (a is "%any" or "%any4" or "%any6")
            return true;
        if (IPAddress.TryParse(a, out _) && !a.Contains('/'))
            return true;
        int slash = a.IndexOf('/');
        if (slash > 0)
        {
            if (!IPAddress.TryParse(a[..slash], out var ip)) return false;
            int max = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
            return int.TryParse(a[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p <= max;
        }
        int dash = a.IndexOf('-');
        if (dash > 0 && IPAddress.TryParse(a[..dash], out var lo) && IPAddress.TryParse(a[(dash + 1)..], out var hi))
            return lo.AddressFamily == hi.AddressFamily;
        return IsHostName(a);
    }

    /// <summary>RFC 1123 host name: labels of letters, digits and hyphens.</summary>
    private static bool IsHostName(string s)
    {
        if (s.Length is 0 or > 253) return false;
        foreach (var label in s.TrimEnd('.').Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return false;
            foreach (char c in label)
                if (!char.IsAsciiLetterOrDigit(c) && c != '-') return false;
        }
        // All-numeric names would be mistyped IPv4 addresses.
        return !s.Replace(".", "").All(char.IsAsciiDigit);
    }

    /// <summary>
    /// A shared secret: 0x followed by hex digits, 0s followed by Base64, otherwise the text
    /// itself (the settings parser already removed the quotes). The error never echoes the value.
    /// </summary>
    public static byte[] Secret(SettingsEntry e, string where)
    {
        string v = e.Value;
        if (v.Length == 0)
            throw Error(e, where, "is empty");
        if (v.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            string hex = v[2..].Replace(":", "");
            if (hex.Length == 0 || hex.Length % 2 != 0 || !hex.All(char.IsAsciiHexDigit))
                throw Error(e, where, "starts with 0x but is not an even number of hex digits");
            return Convert.FromHexString(hex);
        }
        if (v.StartsWith("0s", StringComparison.Ordinal))
        {
            var bytes = new byte[v.Length];
            if (!Convert.TryFromBase64String(v[2..], bytes, out int n) || n == 0)
                throw Error(e, where, "starts with 0s but is not valid Base64");
            return bytes[..n];
        }
        if (v.Contains('\n'))
            throw Error(e, where, "must not contain a newline");
        return Encoding.UTF8.GetBytes(v);
    }

    public static ConfigException Error(SettingsEntry e, string where, string problem) =>
        new(e.File, e.Line, $"{where}.{e.Key}: {problem}");
}

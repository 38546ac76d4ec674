using System.Text;
using System.Text.Json.Nodes;

namespace Petrel.Cli;

/// <summary>
/// Writes exported keys as Wireshark UAT files (its "ikev2_decryption_table" and "esp_sa"
/// preference tables): one row per line, comma-separated, strings in double quotes; the IKEv2
/// SPIs and keys are bare hex as Wireshark itself writes them, the ESP SPI and keys 0x-prefixed.
/// Files are mode 0600: they hold live keys.
/// </summary>
public static class WiresharkKeyWriter
{
    public const string IkeV2File = "ikev2_decryption_table";
    public const string EspFile = "esp_sa";

    public static (int IkeRows, int EspRows) Write(JsonNode? export, string directory)
    {
        var ike = new StringBuilder("# Written by petrel export-keys (Wireshark UAT: ikev2_decryption_table)\n");
        int ikeRows = 0, espRows = 0;
        if (export?["ikev2"] is JsonArray ikeRowsJson)
        {
            foreach (var r in ikeRowsJson.OfType<JsonObject>())
            {
                ike.Append(Hex(r, "initiator_spi")).Append(',')
                   .Append(Hex(r, "responder_spi")).Append(',')
                   .Append(Hex(r, "sk_ei")).Append(',')
                   .Append(Hex(r, "sk_er")).Append(',')
                   .Append(Quote(SaListPrinter.Str(r, "encryption_algorithm"))).Append(',')
                   .Append(Hex(r, "sk_ai")).Append(',')
                   .Append(Hex(r, "sk_ar")).Append(',')
                   .Append(Quote(SaListPrinter.Str(r, "integrity_algorithm"))).Append('\n');
                ikeRows++;
            }
        }
        var esp = new StringBuilder("# Written by petrel export-keys (Wireshark UAT: esp_sa)\n");
        if (export?["esp"] is JsonArray espRowsJson)
        {
            foreach (var r in espRowsJson.OfType<JsonObject>())
            {
                esp.Append(Quote(SaListPrinter.Str(r, "protocol"))).Append(',')
                   .Append(Quote(SaListPrinter.Str(r, "source"))).Append(',')
                   .Append(Quote(SaListPrinter.Str(r, "destination"))).Append(',')
                   .Append(Quote(Spi(SaListPrinter.Str(r, "spi")))).Append(',')
                   .Append(Quote(SaListPrinter.Str(r, "encryption_algorithm"))).Append(',')
                   .Append(Quote(PrefixedHex(SaListPrinter.Str(r, "encryption_key")))).Append(',')
                   .Append(Quote(SaListPrinter.Str(r, "authentication_algorithm"))).Append(',')
                   .Append(Quote(PrefixedHex(SaListPrinter.Str(r, "authentication_key")))).Append('\n');
                espRows++;
            }
        }
        try
        {
            Directory.CreateDirectory(directory);
            WritePrivate(Path.Combine(directory, IkeV2File), ike.ToString());
            WritePrivate(Path.Combine(directory, EspFile), esp.ToString());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write the key tables to {directory}: {e.Message}");
        }
        return (ikeRows, espRows);
    }

    /// <summary>
    /// Writes a key file without ever following a link or touching a file someone else prepared (issue 12): the content
    /// goes to a new file of a random name, created with O_CREAT|O_EXCL (which also refuses a symbolic link there) and
    /// mode 0600 from its first moment, and is then renamed over the target (rename(2) replaces a link, never follows it).
    /// </summary>
    internal static void WritePrivate(string path, string content)
    {
        string temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", $".{Path.GetFileName(path)}.{Path.GetRandomFileName()}");
        try
        {
            using (var f = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                // The umask cannot widen 0600, but a narrower one must not leave the owner unable to read it either.
                File.SetUnixFileMode(f.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                var bytes = Encoding.UTF8.GetBytes(content);
                f.Write(bytes);
                Array.Clear(bytes);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Bare lowercase hex (empty for AEAD's absent integrity keys).</summary>
    private static string Hex(JsonObject r, string key)
    {
        string v = SaListPrinter.Str(r, key).Trim();
        if (v.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) v = v[2..];
        return v.Replace(":", "").ToLowerInvariant();
    }

    private static string PrefixedHex(string v)
    {
        v = v.Trim().Replace(":", "");
        if (v.Length == 0) return "";
        return v.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? "0x" + v[2..].ToLowerInvariant() : "0x" + v.ToLowerInvariant();
    }

    /// <summary>"0x" and eight hex digits, as Wireshark's esp_sa has it.</summary>
    private static string Spi(string v)
    {
        v = v.Trim();
        if (v.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) v = v[2..];
        return "0x" + v.ToLowerInvariant().PadLeft(8, '0');
    }

    /// <summary>UAT strings are double-quoted; a quote or backslash inside is written as \xNN.</summary>
    private static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s)
        {
            if (c is '"' or '\\' || c < 0x20)
                sb.Append($"\\x{(int)c:x2}");
            else
                sb.Append(c);
        }
        return sb.Append('"').ToString();
    }
}

using System.Text;
using Org.BouncyCastle.X509;
using Petrel.Config;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;

namespace Petrel.Vici;

/// <summary>
/// load-conn: turns the vici section of one connection back into the swanctl.conf section it came from
/// (swanctl --load-conns sends each key as it is written, comma lists as vici lists) and runs it through
/// <see cref="SwanctlLoader"/>'s checks, so a key is accepted over vici exactly when the config file would
/// accept it, and refused with the same message otherwise. The one difference is certs and cacerts:
/// swanctl sends the files' contents, which are kept under names of their own (<see cref="InlinePrefix"/>).
/// </summary>
public static class ViciConnectionMapper
{
    /// <summary>Where errors say the connection came from ("vici load-conn: unknown key …").</summary>
    public const string Source = "vici load-conn";

    private static readonly string[] CertificateKeys = ["certs", "cacerts"];

    /// <summary>The name prefix of the certificates a connection's load-conn carried.</summary>
    public static string InlinePrefix(string connection) => $"/vici/{connection}/";

    /// <exception cref="ConfigException">The same errors the config file would give, from <see cref="Source"/>.</exception>
    /// <param name="poolNames">The pools a connection's pools = may name (the file's and vici's).</param>
    public static ConnectionConfig Map(string name, ViciMessage section, string directory,
        out Dictionary<string, (IReadOnlyList<X509Certificate> Certs, bool Ca)> inline, IReadOnlyCollection<string>? poolNames = null)
    {
        if (name.Length == 0 || name.Contains('.') || name.Contains('/'))
            throw new ConfigException(Source, 0, $"'{name}' is not a connection name");
        var root = new SettingsSection("", "", Source, 0);
        var conn = root.GetOrAddSection("connections", Source, 0).GetOrAddSection(name, Source, 0);
        inline = [];
        Fill(conn, section, name, inline);
        return SwanctlLoader.MapConnectionSection(conn, directory, poolNames);
    }

    private static void Fill(SettingsSection target, ViciMessage source, string connection,
        Dictionary<string, (IReadOnlyList<X509Certificate> Certs, bool Ca)> inline)
    {
        foreach (var item in source.Items)
        {
            switch (item.Kind)
            {
                case ViciItemKind.Section:
                    Fill(target.GetOrAddSection(item.Name, Source, 0), item.Section!, connection, inline);
                    break;
                case ViciItemKind.KeyValue when Array.IndexOf(CertificateKeys, item.Name) >= 0:
                    target.SetEntry(new SettingsEntry(item.Name, Certificates(target, item.Name, [item.Value!], connection, inline), Source, 0));
                    break;
                case ViciItemKind.KeyValue:
                    target.SetEntry(new SettingsEntry(item.Name, Text(target, item.Name, item.Value!), Source, 0));
                    break;
                case ViciItemKind.List when Array.IndexOf(CertificateKeys, item.Name) >= 0:
                    target.SetEntry(new SettingsEntry(item.Name, Certificates(target, item.Name, item.Items!, connection, inline), Source, 0));
                    break;
                case ViciItemKind.List:
                    var values = new List<string>(item.Items!.Count);
                    foreach (var v in item.Items!)
                    {
                        string text = Text(target, item.Name, v);
                        if (text.Contains(','))
                            throw new ConfigException(Source, 0, $"an item of '{item.Name}' in {target.Path} holds a comma: '{text}'");
                        values.Add(text);
                    }
                    target.SetEntry(new SettingsEntry(item.Name, string.Join(", ", values), Source, 0));
                    break;
            }
        }
    }

    /// <summary>Certificates sent as data (PEM or DER): kept under names the connection then refers to, as the file names would be.</summary>
    private static string Certificates(SettingsSection target, string key, IReadOnlyList<byte[]> blobs, string connection,
        Dictionary<string, (IReadOnlyList<X509Certificate> Certs, bool Ca)> inline)
    {
        var names = new List<string>();
        for (int i = 0; i < blobs.Count; i++)
        {
            string name = $"{InlinePrefix(connection)}{target.Path}.{key}/{i}";
            try
            {
                inline[name] = (CertificateLoader.ParseCertificates(blobs[i], name), key == "cacerts");
            }
            catch (CertificateException e)
            {
                throw new ConfigException(Source, 0, $"item {i + 1} of '{key}' in {target.Path} is not a certificate: {e.Message}");
            }
            names.Add(name);
        }
        return string.Join(", ", names);
    }

    /// <summary>A value as the config file would hold it: UTF-8 text on one line.</summary>
    internal static string Text(SettingsSection target, string key, byte[] value, string source = Source)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(value);
        }
        catch (DecoderFallbackException)
        {
            throw new ConfigException(Source, 0, $"the value of '{key}' in {target.Path} is not UTF-8 text");
        }
        if (text.AsSpan().IndexOfAny('\0', '\n', '\r') >= 0)
            throw new ConfigException(Source, 0, $"the value of '{key}' in {target.Path} holds a control character");
        return text;
    }
}

namespace Petrel.Tests.Harness;

/// <summary>
/// The key tables `petrel export-keys --wireshark DIR` writes (Wireshark UAT files
/// ikev2_decryption_table and esp_sa), turned into tshark `-o uat:…` options, one per row.
/// </summary>
public static class WiresharkKeys
{
    public static string[] TsharkOptions(string dir)
    {
        var options = new List<string> { "esp.enable_encryption_decode:TRUE", "esp.enable_authentication_check:TRUE" };
        foreach (var table in new[] { "ikev2_decryption_table", "esp_sa" })
        {
            var path = Path.Combine(dir, table);
            if (!File.Exists(path)) continue;
            foreach (var line in File.ReadAllLines(path))
            {
                var row = line.Trim();
                if (row.Length == 0 || row.StartsWith('#')) continue;
                options.Add($"uat:{table}:{row}");
            }
        }
        return [.. options];
    }

    public static int Rows(string dir, string table)
    {
        var path = Path.Combine(dir, table);
        return File.Exists(path) ? File.ReadAllLines(path).Count(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')) : 0;
    }
}

namespace Petrel.Ike.Tests.Wire.Captures;

/// <summary>One row of Wireshark's ikev2_decryption_table (CSV, quoted algorithm names).</summary>
internal sealed record KeyTableRow(string InitiatorSpi, string ResponderSpi, byte[] SkEi, byte[] SkEr, string Encryption, byte[] SkAi, byte[] SkAr, string Integrity)
{
    public static List<KeyTableRow> Load(string path)
    {
        var rows = new List<KeyTableRow>();
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var f = SplitCsv(line);
            rows.Add(new KeyTableRow(f[0], f[1], Convert.FromHexString(f[2]), Convert.FromHexString(f[3]), f[4],
                Convert.FromHexString(f[5]), Convert.FromHexString(f[6]), f[7]));
        }
        return rows;
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char c in line)
        {
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }
}

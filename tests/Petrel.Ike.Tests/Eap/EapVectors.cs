namespace Petrel.Ike.Tests.Eap;

/// <summary>Reads a "name = value" vector file from vectors/eap (hex, or a quoted string).</summary>
internal sealed class EapVectors
{
    private readonly Dictionary<string, string> _values = [];

    public EapVectors(string file)
    {
        foreach (var raw in File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "vectors", "eap", file)))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            int eq = line.IndexOf('=');
            _values[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
    }

    public byte[] Hex(string name) => Convert.FromHexString(_values[name]);
    public string Text(string name) => _values[name].Trim('"');
}

namespace Petrel.Config;

/// <summary>
/// A configuration error that names where it is: "swanctl.conf:14: unknown key 'proposal' in connections.lab".
/// The message is one line a user can act on; the CLI and the daemon print it as is.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string file, int line, string detail)
        : base(line > 0 ? $"{file}:{line}: {OneLine(detail)}" : $"{file}: {OneLine(detail)}")
    {
        File = file;
        Line = line;
        Detail = detail;
    }

    public string File { get; }
    public int Line { get; }

    /// <summary>The message without the file:line prefix.</summary>
    public string Detail { get; }

    /// <summary>A value quoted into the message may hold a newline; the message stays one line.</summary>
    private static string OneLine(string s) => s.Replace("\r", "\\r").Replace("\n", "\\n");
}

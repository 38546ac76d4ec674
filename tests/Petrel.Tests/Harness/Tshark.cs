namespace Petrel.Tests.Harness;

/// <summary>Reads a capture with tshark: frame counts and fields for a display filter.</summary>
public static class Tshark
{
    /// <summary>Number of frames in <paramref name="pcap"/> matching <paramref name="displayFilter"/>.</summary>
    public static int Count(string pcap, string displayFilter, params string[] options) =>
        Fields(pcap, displayFilter, ["frame.number"], options).Count;

    /// <summary>One row per matching frame; columns are the requested fields, tab-separated by tshark.</summary>
    public static IReadOnlyList<string[]> Fields(string pcap, string displayFilter, IReadOnlyList<string> fields, params string[] options)
    {
        var argv = new List<string> { "tshark", "-n", "-r", pcap };
        foreach (var o in options) { argv.Add("-o"); argv.Add(o); }
        argv.Add("-Y"); argv.Add(displayFilter);
        argv.Add("-T"); argv.Add("fields");
        foreach (var f in fields) { argv.Add("-e"); argv.Add(f); }
        var r = CommandRunner.Run(argv, TimeSpan.FromSeconds(120)).EnsureSuccess();
        var rows = new List<string[]>();
        foreach (var line in r.StandardOutput.Split('\n'))
        {
            if (line.Length == 0) continue;
            rows.Add(line.Split('\t'));
        }
        return rows;
    }

    /// <summary>The verbose text dissection (tshark -V) of the matching frames.</summary>
    public static string Verbose(string pcap, string displayFilter, params string[] options)
    {
        var argv = new List<string> { "tshark", "-n", "-r", pcap };
        foreach (var o in options) { argv.Add("-o"); argv.Add(o); }
        argv.Add("-Y"); argv.Add(displayFilter);
        argv.Add("-V");
        return CommandRunner.Run(argv, TimeSpan.FromSeconds(120)).EnsureSuccess().StandardOutput;
    }
}

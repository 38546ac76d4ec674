namespace Petrel.Demo;

/// <summary>
/// Remembers the PIDs of the demo's daemons in /run, so that a demo killed before it could clean
/// up (SIGKILL, a closed terminal) has its daemons stopped by the next run: by those PIDs only,
/// and only if they still are petrel daemons started with a demo configuration.
/// </summary>
internal static class DemoPidFile
{
    private const string Path = "/run/petrel-demo.pids";

    public static void Write(IEnumerable<int> pids)
    {
        try { File.WriteAllLines(Path, pids.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public static void Clear()
    {
        try { File.Delete(Path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Stops daemons an earlier, interrupted demo left running; returns how many.</summary>
    public static int StopLeftovers()
    {
        if (!File.Exists(Path)) return 0;
        int stopped = 0;
        foreach (var line in File.ReadAllLines(Path))
        {
            if (!int.TryParse(line, out var pid) || pid <= 1) continue;
            string cmdline;
            try { cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            // PIDs get reused: only a petrel daemon running a demo configuration is ours.
            if (!cmdline.Contains(" daemon ", StringComparison.Ordinal) || !cmdline.Contains("/petrel-demo-", StringComparison.Ordinal)) continue;
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
                p.Kill();
                p.WaitForExit(3000);
                stopped++;
            }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
        Clear();
        return stopped;
    }
}

namespace Petrel.TestSupport;

/// <summary>
/// Records the executables the tests start, so that test.sh can check each one's Debian package is
/// in tests/packages.txt (tests/check-packages.sh). Off unless PETREL_EXEC_LOG names a directory;
/// each process appends to its own file there. Besides argv[0] it records the command after
/// "ip netns exec NS", nsenter, unshare, setsid and timeout, and the commands of an "sh -c" script.
/// </summary>
internal static class ExecutableLog
{
    public const string Variable = "PETREL_EXEC_LOG";

    private static readonly object Gate = new();

    /// <summary>Words after which the next word is the command.</summary>
    private static readonly HashSet<string> CommandPrefixes = ["exec", "if", "then", "else", "elif", "while", "until", "do", "!", "{", "time", "command", "nohup"];

    /// <summary>Shell builtins and keywords: no executable is started.</summary>
    private static readonly HashSet<string> ShellWords =
    [
        "set", "cd", "export", "fi", "for", "done", "case", "esac", "in", "exit", "return", "local", "read", "wait", "trap",
        "eval", "shift", "unset", "true", "false", ":", "}", "echo", "printf", "test", "[", "[[", "]]", "kill",
    ];

    public static void Record(string file, IEnumerable<string> args) => Record([file, .. args]);

    public static void Record(IReadOnlyList<string> argv)
    {
        var dir = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(dir) || argv.Count == 0)
            return;
        var names = new List<string>();
        Collect(argv, 0, names);
        if (names.Count == 0)
            return;
        lock (Gate)
        {
            Directory.CreateDirectory(dir);
            File.AppendAllLines(Path.Combine(dir, $"{Environment.ProcessId}.txt"), names);
        }
    }

    /// <summary>The executables a command line starts, for tests of this class.</summary>
    public static List<string> Executables(IReadOnlyList<string> argv)
    {
        var names = new List<string>();
        Collect(argv, 0, names);
        return names;
    }

    private static void Collect(IReadOnlyList<string> argv, int start, List<string> names)
    {
        if (start >= argv.Count)
            return;
        string exe = argv[start];
        names.Add(exe);
        string name = Path.GetFileName(exe);
        int next = start + 1;
        switch (name)
        {
            case "ip":
                // ip netns exec NS COMMAND …
                if (argv.Count > start + 4 && argv[start + 1] == "netns" && argv[start + 2] == "exec")
                    Collect(argv, start + 4, names);
                break;
            case "nsenter" or "unshare" or "setsid":
                while (next < argv.Count && argv[next].StartsWith('-'))
                {
                    // Options of these tools that take a separate value.
                    bool takesValue = argv[next] is "-t" or "--target" or "-S" or "--setuid" or "-G" or "--setgid" or "--propagation" or "-w" or "--wd";
                    next += takesValue ? 2 : 1;
                }
                Collect(argv, next, names);
                break;
            case "timeout":
                while (next < argv.Count && argv[next].StartsWith('-'))
                    next += argv[next] is "-s" or "--signal" or "-k" or "--kill-after" ? 2 : 1;
                Collect(argv, next + 1, names);
                break;
            case "sh" or "bash" or "dash":
                if (next + 1 < argv.Count && argv[next] == "-c")
                {
                    ScriptCommands(argv[next + 1], names);
                    // "$0", "$1" …: a positional argument that is an executable file is what the script execs.
                    for (int i = next + 2; i < argv.Count; i++)
                        if (Path.IsPathRooted(argv[i]) && File.Exists(argv[i]) && IsExecutable(argv[i]))
                            names.Add(argv[i]);
                }
                break;
        }
    }

    /// <summary>The first word of each simple command of a script (after VAR=value assignments).</summary>
    private static void ScriptCommands(string script, List<string> names)
    {
        foreach (var segment in script.Split([';', '&', '|', '\n', '(', ')', '`'], StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var word in segment.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                if ((word.Contains('=') && !word.StartsWith('=')) || CommandPrefixes.Contains(word))
                    continue;
                if (!ShellWords.Contains(word) && !word.StartsWith('$') && !word.StartsWith('"') && !word.StartsWith('\'')
                    && !word.StartsWith('-') && !word.StartsWith('>') && !word.StartsWith('<') && !char.IsDigit(word[0]))
                    names.Add(word);
                break;
            }
        }
    }

    private static bool IsExecutable(string path) =>
        (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}

namespace Petrel.Tests.Harness;

/// <summary>The outcome of one finished command: exit code and both output streams.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError, bool TimedOut)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>Throws with the command and its output when it failed, so a test failure says why.</summary>
    public CommandResult EnsureSuccess()
    {
        if (!Succeeded)
            throw new InvalidOperationException(Describe());
        return this;
    }

    public string Describe() =>
        $"`{CommandLine}` {(TimedOut ? "timed out" : $"exited {ExitCode}")}\n--- stdout\n{Tail(StandardOutput)}\n--- stderr\n{Tail(StandardError)}";

    private static string Tail(string s) => s.Length <= 4000 ? s : "…" + s[^4000..];
}

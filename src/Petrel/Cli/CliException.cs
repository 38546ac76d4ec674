namespace Petrel.Cli;

/// <summary>An error the CLI reports as one line, "petrel: MESSAGE", with the given exit code.</summary>
public sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

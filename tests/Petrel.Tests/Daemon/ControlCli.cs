using Petrel.Cli;

namespace Petrel.Tests.Daemon;

/// <summary>Runs a `petrel` command in-process against a daemon's control socket and keeps what it printed.</summary>
internal static class ControlCli
{
    public static (int Code, string Out, string Err) Run(string socket, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = PetrelCli.Run([.. args, "--socket", socket], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}

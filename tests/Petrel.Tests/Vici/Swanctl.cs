using Petrel.Tests.Harness;

namespace Petrel.Tests.Vici;

/// <summary>strongSwan's own swanctl (Debian strongswan-swanctl), pointed at a vici socket.</summary>
public static class Swanctl
{
    /// <param name="swanctlDir">SWANCTL_DIR: where --load-* read swanctl.conf and the credential folders.</param>
    public static CommandResult Run(string socket, string? swanctlDir, params string[] args)
    {
        var argv = new List<string> { "swanctl" };
        argv.AddRange(args);
        argv.Add("--uri");
        argv.Add($"unix://{socket}");
        var env = new Dictionary<string, string>();
        if (swanctlDir is not null) env["SWANCTL_DIR"] = swanctlDir;
        return CommandRunner.Run(argv, TimeSpan.FromSeconds(60), env);
    }
}

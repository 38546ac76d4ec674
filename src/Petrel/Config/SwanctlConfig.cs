using Petrel.Ike.Config;

namespace Petrel.Config;

/// <summary>Everything one swanctl.conf (with its includes) configures.</summary>
public sealed record SwanctlConfig(
    IReadOnlyList<ConnectionConfig> Connections,
    IReadOnlyList<SharedSecret> Secrets,
    IReadOnlyList<AuthorityConfig> Authorities,
    DaemonSettings Daemon,
    string Path);

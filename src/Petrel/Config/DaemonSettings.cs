using Microsoft.Extensions.Logging;

namespace Petrel.Config;

/// <summary>Petrel's own settings: the top-level petrel { } section of swanctl.conf.</summary>
public sealed record DaemonSettings
{
    public const string DefaultSocketPath = "/run/petrel/petrel.sock";

    /// <summary>Control socket path (petrel.socket); the --socket option overrides it.</summary>
    public string SocketPath { get; init; } = DefaultSocketPath;

    /// <summary>UDP port for IKE (petrel.ike_port), 500 by default.</summary>
    public int IkePort { get; init; } = 500;

    /// <summary>UDP port for NAT-T, IKE and ESP-in-UDP (petrel.natt_port), 4500 by default (RFC 3948).</summary>
    public int NatTPort { get; init; } = 4500;

    /// <summary>The shared TUN device for policy-based connections (petrel.tun_name).</summary>
    public string TunName { get; init; } = "petrel0";

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Dashboard listen address ("127.0.0.1:8480"), null when off (petrel.dashboard).</summary>
    public string? Dashboard { get; init; }
}

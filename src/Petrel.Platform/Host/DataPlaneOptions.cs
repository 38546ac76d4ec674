using System.Net;

namespace Petrel.Platform.Host;

/// <summary>How <see cref="DataPlaneHost.Open"/> sets up the TUN device and sockets.</summary>
public sealed class DataPlaneOptions
{
    /// <summary>TUN device name ("%d" lets the kernel number it).</summary>
    public string TunName { get; init; } = "petrel0";

    public int TunMtu { get; init; } = Tun.TunDevice.DefaultMtu;

    /// <summary>Outer path MTU the SAs are fitted to (<see cref="DataPlane.Pipeline.UserspaceKernel.PathMtu"/>).</summary>
    public int PathMtu { get; init; } = DataPlane.Pipeline.UserspaceKernel.DefaultPathMtu;

    /// <summary>TCP MSS clamping (<see cref="DataPlane.Pipeline.UserspaceKernel.ClampMss"/>).</summary>
    public bool ClampMss { get; init; }

    /// <summary>Addresses to put on the TUN device (CIDR notation); usually none.</summary>
    public IReadOnlyList<string> TunAddresses { get; init; } = [];

    /// <summary>IKE port; 0 leaves port 500 unbound.</summary>
    public int IkePort { get; init; } = 500;

    public int NatTPort { get; init; } = 4500;

    /// <summary>Local addresses to bind the sockets to; null binds IPv4 and IPv6 any.</summary>
    public IReadOnlyList<IPAddress>? BindAddresses { get; init; }

    /// <summary>Open raw IP protocol 50 sockets for SAs without UDP encapsulation (needs CAP_NET_RAW).</summary>
    public bool RawEsp { get; init; }

    /// <summary>Install routes for protect policies into the TUN device.</summary>
    public bool ManageRoutes { get; init; } = true;
}

using System.Net;
using Petrel.Platform.Routing;

namespace Petrel.Platform.Host;

/// <summary>How <see cref="DataPlaneHost.Open"/> sets up the TUN device and sockets.</summary>
public sealed class DataPlaneOptions
{
    /// <summary>TUN device name ("%d" lets the kernel number it).</summary>
    public string TunName { get; init; } = "petrel0";

    public int TunMtu { get; init; } = Tun.TunDevice.DefaultMtu;

    /// <summary>
    /// Follow the installed SAs: the shared device's MTU becomes the smallest inner size the
    /// outbound SAs carry for <see cref="PathMtu"/> (<see cref="DataPlane.Pipeline.UserspaceKernel.SuggestedTunnelMtu"/>),
    /// starting from <see cref="TunMtu"/> until the first SA.
    /// </summary>
    public bool AutoTunMtu { get; init; }

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

    /// <summary>Open raw IP protocol 51 sockets for AH SAs (needs CAP_NET_RAW).</summary>
    public bool RawAh { get; init; }

    /// <summary>
    /// SO_MARK on every daemon socket (0: none). Transport-mode routes live in
    /// <see cref="TransportRouteTable"/>, consulted by a rule for packets WITHOUT this mark, so the
    /// host's own traffic to the peer enters the TUN device while IKE/ESP/AH sockets bypass it.
    /// </summary>
    public uint SocketMark { get; init; }

    /// <summary>The mark the daemon uses: "PE" (0x5045), unlikely to clash with other markers.</summary>
    public const uint DefaultSocketMark = 0x5045;

    /// <summary>Routing table for transport-mode routes (used only with a <see cref="SocketMark"/>).</summary>
    public int TransportRouteTable { get; init; } = RouteManager.DefaultTransportTable;

    /// <summary>Virtual tunnel interfaces for route-based connections (if_id), opened beside the shared device with the same MTU.</summary>
    public IReadOnlyList<VirtualInterface> VirtualInterfaces { get; init; } = [];

    /// <summary>
    /// TUN with vnet headers, checksum and TSO offload, UDP GSO sends and UDP GRO receives with
    /// TCP coalescing (see DataPlaneHost.Offload.cs). Off: one packet per syscall everywhere.
    /// </summary>
    public bool Offload { get; init; } = true;

    /// <summary>
    /// Packet threads per pipeline: with offload, the TUN reader seals
    /// the segments of each TCP super-segment on this many threads and the NAT-T receiver opens
    /// the datagrams of each GRO receive on this many, each thread with its own SA contexts
    /// (see <see cref="SegmentSealer"/>, <see cref="DatagramOpener"/>). 1 (default): one thread per reader.
    /// </summary>
    public int PacketThreads { get; init; } = 1;

    /// <summary>
    /// Nice value of the packet threads, -20 to 19 (see <see cref="PacketPriority"/>). 0 (default):
    /// the daemon's own priority, like every other thread.
    /// </summary>
    public int PacketNice { get; init; }

    /// <summary>
    /// Packet threads yield their CPU (sched_yield) after a full TUN burst and after each NAT-T
    /// receive, so that on a busy host the consumers of what they just delivered run before they
    /// take more (see DataPlaneHost.YieldToConsumers). Default on: measured in bench/iperf.sh MODE=udp.
    /// </summary>
    public bool YieldUnderLoad { get; init; } = true;

    /// <summary>Install routes for protect policies into the TUN device.</summary>
    public bool ManageRoutes { get; init; } = true;
}

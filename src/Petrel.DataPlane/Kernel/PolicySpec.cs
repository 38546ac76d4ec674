using System.Net;
using Petrel.DataPlane.Policy;

namespace Petrel.DataPlane.Kernel;

/// <summary>
/// An SPD entry pair for one CHILD_SA: traffic from LocalTs to RemoteTs leaves through the
/// outbound SA with ReqId; decrypted inbound traffic must match the reverse. Installing a
/// protect policy also routes RemoteTs into the tunnel device.
/// </summary>
public sealed class PolicySpec
{
    public required uint ReqId { get; init; }
    public required IReadOnlyList<TrafficSelector> LocalTs { get; init; }
    public required IReadOnlyList<TrafficSelector> RemoteTs { get; init; }
    public PolicyAction Action { get; init; } = PolicyAction.Protect;
    public IpsecMode Mode { get; init; } = IpsecMode.Tunnel;

    /// <summary>Outer addresses of the tunnel (ours, theirs).</summary>
    public required IPAddress LocalAddress { get; init; }
    public required IPAddress RemoteAddress { get; init; }

    /// <summary>
    /// Route-based VPN (strongSwan's if_id_out): 0 for the shared tunnel device, otherwise the
    /// virtual tunnel interface whose packets this policy takes; only packets read from that
    /// interface are looked up against it, and the data plane installs no routes for it.
    /// </summary>
    public uint InterfaceIdOut { get; init; }

    /// <summary>strongSwan's if_id_in: the virtual tunnel interface decrypted packets are written to (0: the shared device).</summary>
    public uint InterfaceIdIn { get; init; }

    /// <summary>Lower runs first among overlapping policies.</summary>
    public int Priority { get; init; }
}

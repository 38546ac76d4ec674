using System.Net;
using Petrel.DataPlane.Policy;
using Petrel.Ike.Config;

namespace Petrel.Ike.Sa;

/// <summary>
/// A trap (strongSwan's "routed" CHILD_SA): a protect policy without SAs in the data plane, so the first
/// matching packet raises an acquire (RFC 4301 §5.1) and IKE negotiates the CHILD_SA. The CHILD_SA that
/// comes up reuses the trap's reqid, so its policy takes the trap's place and gives it back when it goes.
/// </summary>
internal sealed class TrapPolicy
{
    public required string Connection { get; init; }
    public required ChildConfig Child { get; set; }
    public required uint ReqId { get; init; }
    public required List<TrafficSelector> LocalTs { get; init; }
    public required List<TrafficSelector> RemoteTs { get; init; }
    public required IPAddress LocalAddress { get; init; }
    public required IPAddress RemoteAddress { get; init; }

    /// <summary>Installed by dpd_action/close_action = trap: forgotten once its CHILD_SA is back (start_action traps stay).</summary>
    public bool Temporary { get; set; }

    /// <summary>Installed on request (vici install, <see cref="Petrel.Ike.Engine.IkeEngine.Route"/>): stays across loads while its child exists unchanged.</summary>
    public bool Manual { get; set; }

    /// <summary>An acquire's negotiation is under way; further acquires wait for it.</summary>
    public bool Pending { get; set; }

    /// <summary>The packet that triggered the pending negotiation (source, destination): its host selectors go first in TSi/TSr (§2.9).</summary>
    public (IPAddress Source, IPAddress Destination)? AcquireFlow { get; set; }

    public long Acquires { get; set; }
}

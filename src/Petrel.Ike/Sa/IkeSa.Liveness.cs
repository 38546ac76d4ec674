namespace Petrel.Ike.Sa;

/// <summary>What DPD (RFC 7296 §2.4) and the dead-peer / close actions track per IKE SA.</summary>
internal sealed partial class IkeSa
{
    /// <summary>When the last authenticated IKE message from the peer arrived (or inbound ESP was last seen to grow).</summary>
    public TimeSpan LastInbound { get; set; }

    /// <summary>Sum of the inbound packet counters of our CHILD_SAs when the data plane was last asked.</summary>
    public ulong InboundPacketsSeen { get; set; }

    /// <summary>Retransmissions of an established SA's request ran out: dpd_action applies when it is destroyed.</summary>
    public bool PeerDead { get; set; }

    /// <summary>The peer deleted this IKE SA: close_action applies when it is destroyed.</summary>
    public bool ClosedByPeer { get; set; }
}

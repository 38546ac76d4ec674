namespace Petrel.Ike.Engine;

/// <summary>What happened to an SA (strongSwan's bus events, as vici names them: ike-updown, ike-rekey, child-updown, child-rekey).</summary>
public enum SaEventKind
{
    /// <summary>An IKE SA changed state (every transition, including the ones below).</summary>
    IkeState,
    /// <summary>An IKE SA reached ESTABLISHED by IKE_SA_INIT/IKE_AUTH (not by a rekey).</summary>
    IkeUp,
    /// <summary>An IKE SA that was up went away (deleted, expired, peer dead); not one replaced by a rekey.</summary>
    IkeDown,
    /// <summary>An IKE SA was rekeyed: <see cref="SaEvent.IkeSaId"/> is the old one, <see cref="SaEvent.NewIkeSaId"/> the new.</summary>
    IkeRekey,
    /// <summary>A CHILD_SA changed state.</summary>
    ChildState,
    /// <summary>A CHILD_SA was installed (not as a rekey's replacement).</summary>
    ChildUp,
    /// <summary>An installed CHILD_SA went away without a replacement.</summary>
    ChildDown,
    /// <summary>A CHILD_SA was rekeyed: <see cref="SaEvent.ChildSaId"/> is the old one, <see cref="SaEvent.NewChildSaId"/> the new.</summary>
    ChildRekey,
    /// <summary>
    /// An IKE SA's endpoints are about to change (the peer's request came from another address or port, RFC 7296 §2.23):
    /// <see cref="SaEvent.LocalHost"/>/<see cref="SaEvent.RemoteHost"/> are the old ones, the New* fields the new (vici ike-update).
    /// </summary>
    IkeUpdate,
    /// <summary>A negotiation failed: <see cref="SaEvent.Failure"/> says which part, <see cref="SaEvent.Message"/> the details.</summary>
    Failure,
}

/// <summary>Which part of a negotiation failed (the label of ipsec_ike_failures_total).</summary>
public enum SaFailure
{
    None,
    /// <summary>No proposal matched (IKE or CHILD_SA), or the peer chose one we did not offer.</summary>
    Proposal,
    /// <summary>The traffic selectors did not match (TS_UNACCEPTABLE).</summary>
    TrafficSelector,
    /// <summary>No connection for the peer's identity, or its authentication failed.</summary>
    Identity,
    /// <summary>The peer did not answer (retransmissions used up).</summary>
    Timeout,
    /// <summary>Anything else (peer's error notify, data plane refused the SA …).</summary>
    Other,
}

/// <summary>
/// One event of the engine's feed (<see cref="IkeEngine.Events"/>). Immutable, so it can be handed to
/// other threads as it is. Ids are the unique ids list-sas shows; 0 where there is none.
/// </summary>
public sealed record SaEvent
{
    public required SaEventKind Kind { get; init; }
    public required DateTimeOffset Time { get; init; }
    /// <summary>Connection name ("" when no connection was found, e.g. an IKE_SA_INIT nobody matches).</summary>
    public string Connection { get; init; } = "";
    public uint IkeSaId { get; init; }
    /// <summary>IKE SA state after the event (strongSwan's names, SPEC.md §1), and before it for state changes.</summary>
    public string IkeState { get; init; } = "";
    public string PreviousIkeState { get; init; } = "";
    public string Child { get; init; } = "";
    public uint ChildSaId { get; init; }
    public string ChildState { get; init; } = "";
    public string PreviousChildState { get; init; } = "";
    /// <summary>The replacement's id for <see cref="SaEventKind.IkeRekey"/> and <see cref="SaEventKind.ChildRekey"/>.</summary>
    public uint NewIkeSaId { get; init; }
    public uint NewChildSaId { get; init; }
    public string LocalHost { get; init; } = "";
    public string RemoteHost { get; init; } = "";
    /// <summary>The IKE SA's identities, role and SPIs (hex, as list-sas shows them): an SA a rekey replaced is often gone before a subscriber asks for it.</summary>
    public string LocalId { get; init; } = "";
    public string RemoteId { get; init; } = "";
    public bool Initiator { get; init; }
    public string InitiatorSpi { get; init; } = "";
    public string ResponderSpi { get; init; } = "";
    /// <summary>The CHILD_SA's SPIs (hex), for child events.</summary>
    public string SpiIn { get; init; } = "";
    public string SpiOut { get; init; } = "";
    public SaFailure Failure { get; init; }
    /// <summary>For <see cref="SaEventKind.IkeUpdate"/>: the endpoints the IKE SA moves to, and the ports it had.</summary>
    public string NewLocalHost { get; init; } = "";
    public int NewLocalPort { get; init; }
    public string NewRemoteHost { get; init; } = "";
    public int NewRemotePort { get; init; }
    public int LocalPort { get; init; }
    public int RemotePort { get; init; }
    /// <summary>Why (down, failure): one human-readable line, never secret material.</summary>
    public string Message { get; init; } = "";
}

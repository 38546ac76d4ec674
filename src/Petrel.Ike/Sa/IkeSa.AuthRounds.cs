namespace Petrel.Ike.Sa;

internal sealed partial class IkeSa
{
    /// <summary>The peer announced MULTIPLE_AUTH_SUPPORTED (RFC 4739 §3): in its IKE_SA_INIT response, or its first IKE_AUTH request.</summary>
    public bool PeerMultipleAuth { get; set; }

    /// <summary>The responder's progress between the IKE_AUTH exchanges of several authentication rounds (RFC 4739); null otherwise.</summary>
    public AuthRoundsState? AuthRounds { get; set; }

    /// <summary>Every authentication round done so far, ours and the peer's, in order: what list-sas shows per round.</summary>
    public List<AuthRoundInfo> CompletedRounds { get; } = [];
}

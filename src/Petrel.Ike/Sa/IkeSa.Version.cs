namespace Petrel.Ike.Sa;

internal sealed partial class IkeSa
{
    /// <summary>IKE major version of this SA: 2, or 1 for an IKEv1 (ISAKMP) SA whose cookies are SpiI/SpiR.</summary>
    public int Version { get; init; } = 2;

    /// <summary>The IKEv1 Phase 1 state (keys, IV chains, exchanges in flight); null for IKEv2 SAs.</summary>
    public V1.Phase1State? V1 { get; set; }
}

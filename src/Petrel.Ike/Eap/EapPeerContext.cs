namespace Petrel.Ike.Eap;

/// <summary>What a peer method is told: our EAP identity (eap_id, else our IKE identity), the server's identity, randomness and our secret.</summary>
public sealed class EapPeerContext
{
    public required string Identity { get; init; }
    public required string ServerIdentity { get; init; }
    public required Action<Span<byte>> Random { get; init; }

    /// <summary>Our eap-/ntlm- secret for the identity pair; null when none is configured (MD5 and MSCHAPv2 then fail).</summary>
    public EapSecret? Secret { get; init; }
}

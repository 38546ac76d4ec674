namespace Petrel.Ike.V2.CreateChildSa;

/// <summary>
/// A responder's CREATE_CHILD_SA waiting for its IKE_FOLLOWUP_KE exchanges (RFC 9370 §2.2.4): the CHILD_SA selected
/// but not installed, the exchange's nonces, and the key exchanges done and still to do. One per IKE SA (window of one).
/// </summary>
internal sealed class PendingFollowUp(ChildSa child, byte[] ni, byte[] nr, FollowUpKeyExchanges exchanges) : IDisposable
{
    public ChildSa Child { get; } = child;
    public byte[] Ni { get; } = ni;
    public byte[] Nr { get; } = nr;
    public FollowUpKeyExchanges Exchanges { get; } = exchanges;

    public void Dispose() => Exchanges.Dispose();
}

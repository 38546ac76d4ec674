namespace Petrel.Ike.Sa;

internal sealed partial class IkeSa
{
    /// <summary>The IKE_AUTH message waiting for a CRL fetch, if any (no answer, no next request meanwhile).</summary>
    public DeferredAuth? Deferred { get; set; }
}

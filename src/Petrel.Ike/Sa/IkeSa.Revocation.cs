namespace Petrel.Ike.Sa;

internal sealed partial class IkeSa
{
    /// <summary>The IKE_AUTH message waiting for a CRL fetch, if any (no answer, no next request meanwhile).</summary>
    public DeferredAuth? Deferred { get; private set; }

    public void Defer(DeferredAuth message) => Deferred = message;

    /// <summary>The deferred message, to be processed again now.</summary>
    public DeferredAuth? TakeDeferred()
    {
        var d = Deferred;
        Deferred = null;
        return d;
    }
}

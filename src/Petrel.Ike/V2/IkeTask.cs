using Petrel.Ike.Wire;

namespace Petrel.Ike.V2;

/// <summary>
/// One exchange this end initiates (strongSwan's task model): it builds the request's payloads and
/// processes the response. The engine numbers, encrypts, sends and retransmits the request.
/// </summary>
internal abstract class IkeTask
{
    public abstract ExchangeType Exchange { get; }

    /// <summary>Adds the request's payloads (the header is filled by the context).</summary>
    public abstract void BuildRequest(IkeSa sa, IkeMessage request);

    public abstract TaskOutcome ProcessResponse(IkeSa sa, IkeMessage response);

    /// <summary>The exchange will not complete (retransmits exhausted, SA deleted): report to whoever waits.</summary>
    public virtual void Abort(IkeSa sa, string reason) { }

    /// <summary>True when a queued task has become pointless before it was sent (its SA is gone or already replaced).</summary>
    public virtual bool IsObsolete(IkeSa sa) => false;
}

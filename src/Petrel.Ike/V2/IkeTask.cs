using Petrel.Ike.Wire;

namespace Petrel.Ike.V2;

/// <summary>
/// One exchange this end initiates (strongSwan's task model): it builds the request's payloads and
/// processes the response. The engine numbers, encrypts, sends and retransmits the request.
/// </summary>
/// <remarks>
/// CPU-heavy work runs on the crypto workers, never on the engine thread: <see cref="Prepare"/> hands out what the
/// request needs first (a key pair, a signature), and <see cref="ProcessResponse"/> may return <see cref="Offload"/>
/// to continue once a shared secret, key derivation or signature check is done. A job reads only copies the task made;
/// its continuation runs on the engine thread, which alone changes SA state.
/// </remarks>
internal abstract class IkeTask
{
    private (TaskJob Job, Func<TaskOutcome> Then)? _offloaded;

    public abstract ExchangeType Exchange { get; }

    /// <summary>
    /// A job whose result <see cref="BuildRequest"/> needs, or null when the request can be built now. Called before each
    /// build; a task returns a job once per result it needs.
    /// </summary>
    public virtual TaskJob? Prepare(IkeSa sa) => null;

    /// <summary>Adds the request's payloads (the header is filled by the context).</summary>
    public abstract void BuildRequest(IkeSa sa, IkeMessage request);

    public abstract TaskOutcome ProcessResponse(IkeSa sa, IkeMessage response);

    /// <summary>The exchange will not complete (retransmits exhausted, SA deleted): report to whoever waits.</summary>
    public virtual void Abort(IkeSa sa, string reason) { }

    /// <summary>True when a queued task has become pointless before it was sent (its SA is gone or already replaced).</summary>
    public virtual bool IsObsolete(IkeSa sa) => false;

    /// <summary>
    /// From <see cref="ProcessResponse"/>: runs <paramref name="job"/> on a crypto worker, then <paramref name="then"/> on the
    /// engine thread, whose outcome counts as the response's. Not called when the SA ended meanwhile.
    /// </summary>
    protected TaskOutcome Offload(TaskJob job, Func<TaskOutcome> then)
    {
        _offloaded = (job, then);
        return TaskOutcome.Working;
    }

    /// <summary>The job <see cref="Offload"/> kept, for the task manager.</summary>
    internal (TaskJob Job, Func<TaskOutcome> Then) TakeOffloaded()
    {
        var o = _offloaded ?? throw new InvalidOperationException($"{GetType().Name} returned Working without a job");
        _offloaded = null;
        return o;
    }
}

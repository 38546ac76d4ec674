namespace Petrel.Ike.Engine;

/// <summary>
/// A piece of CPU-heavy IKE work (key exchange, key derivation) taken off the engine's thread: <see cref="Run"/>
/// computes from the job's own inputs on whatever thread the <see cref="ICryptoExecutor"/> chooses, and touches no
/// engine or SA state; <see cref="Apply"/> then runs on the engine thread, in submission order per IKE SA.
/// </summary>
public abstract class CryptoJob
{
    /// <summary>The IKE SA the result belongs to (set by the engine when the job is submitted).</summary>
    internal IkeSa Sa { get; set; } = null!;

    /// <summary>What the job computes, for logs and tests ("IKE_SA_INIT key exchange (responder)" …).</summary>
    public virtual string Operation => GetType().Name;

    /// <summary>What <see cref="Run"/> threw, if it did; <see cref="Apply"/> sees it.</summary>
    internal Exception? Error { get; private set; }

    /// <summary>Runs the computation, keeping an exception for <see cref="Apply"/>. Executors call this once.</summary>
    public void Execute()
    {
        try
        {
            Run();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Error = e;
        }
    }

    /// <summary>The computation; any thread, no shared state.</summary>
    private protected abstract void Run();

    /// <summary>On the engine thread, after <see cref="Run"/>: the SA takes the result (or handles <see cref="Error"/>).</summary>
    internal abstract void Apply();

    /// <summary>On the engine thread instead of <see cref="Apply"/> when the SA ended meanwhile: secrets are zeroed.</summary>
    internal virtual void Discard()
    {
    }
}

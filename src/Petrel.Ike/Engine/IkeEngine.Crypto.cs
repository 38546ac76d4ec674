using Microsoft.Extensions.Logging;

namespace Petrel.Ike.Engine;

/// <summary>
/// CPU-heavy work off the engine's thread (<see cref="CryptoJob"/>): one job per IKE SA runs at a time and the
/// results apply on the engine thread in submission order. With the default <see cref="SynchronousCryptoExecutor"/>
/// a job runs and applies inside the call that submits it, as in-process tests expect; the daemon sets a
/// <see cref="CryptoWorkerPool"/>.
/// </summary>
public sealed partial class IkeEngine
{
    private Action<CryptoJob>? _cryptoDone;

    /// <summary>Where crypto jobs run; set before the first datagram (the daemon: a <see cref="CryptoWorkerPool"/>).</summary>
    public ICryptoExecutor CryptoExecutor { get; set; } = SynchronousCryptoExecutor.Instance;

    /// <summary>Half-open IKE SAs dropped because the crypto queue was full (the newest work is shed).</summary>
    public long CryptoShed => Counters.CryptoShed;

    /// <summary>Jobs waiting for a crypto worker now (0 with the synchronous executor).</summary>
    public int CryptoWaiting => (CryptoExecutor as CryptoWorkerPool)?.Waiting ?? 0;

    /// <summary>How many jobs may wait for a crypto worker before half-open work is shed (0 with the synchronous executor).</summary>
    public int CryptoCapacity => (CryptoExecutor as CryptoWorkerPool)?.Capacity ?? 0;

    /// <summary>
    /// Submits a job for <paramref name="sa"/>; it applies after the SA's earlier jobs. False only for half-open work
    /// refused by a full queue (counted; the caller drops the SA). Other work refused by the queue runs here.
    /// </summary>
    internal bool RunCrypto(IkeSa sa, CryptoJob job, bool halfOpen)
    {
        job.Sa = sa;
        if (sa.CryptoBusy)
        {
            sa.QueueCrypto(job);
            return true;
        }
        return Dispatch(job, halfOpen);
    }

    private bool Dispatch(CryptoJob job, bool halfOpen)
    {
        job.Sa.CryptoStarted();
        if (CryptoExecutor.TryRun(job, _cryptoDone ??= CryptoDone)) return true;
        if (halfOpen)
        {
            job.Sa.CryptoFinished();
            Counters.CryptoShed++;
            if (Unauthenticated.Admit(LogLevel.Warning, "crypto queue full, IKE_SA_INIT dropped", job.Sa.Remote.Address))
                Unauthenticated.Write(LogLevel.Warning, $"crypto queue full, dropping IKE_SA_INIT from {job.Sa.Remote} ({Counters.CryptoShed} dropped so far)");
            return false;
        }
        // Work of an SA past IKE_SA_INIT is never shed: the engine thread does it itself.
        job.Execute();
        CryptoDone(job);
        return true;
    }

    /// <summary>On the engine thread: the SA takes the result (or drops it when it ended meanwhile), then its next job starts.</summary>
    private void CryptoDone(CryptoJob job)
    {
        var sa = job.Sa;
        try
        {
            if (sa.State == IkeSaState.Destroying) job.Discard();
            else job.Apply();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.LogError("{IkeSa}: applying a crypto result failed: {Type}: {Message}", sa.Tag, e.GetType().Name, e.Message);
            Destroy(sa, "crypto result failed");
        }
        sa.CryptoFinished();
        if (sa.CryptoBacklog is not { Count: > 0 } backlog) return;
        if (sa.State == IkeSaState.Destroying)
        {
            while (backlog.TryDequeue(out var dropped)) dropped.Discard();
            return;
        }
        Dispatch(backlog.Dequeue(), halfOpen: false);
    }
}

namespace Petrel.Ike.Engine;

/// <summary>Where the engine's <see cref="CryptoJob"/>s run.</summary>
public interface ICryptoExecutor
{
    /// <summary>
    /// Runs <see cref="CryptoJob.Execute"/>, then <paramref name="done"/> with the job on the engine's thread. False when
    /// the job was refused (a full queue): then neither runs.
    /// </summary>
    bool TryRun(CryptoJob job, Action<CryptoJob> done);
}

/// <summary>Runs each job at once on the caller's (the engine's) thread: in-process tests and the default.</summary>
public sealed class SynchronousCryptoExecutor : ICryptoExecutor
{
    public static readonly SynchronousCryptoExecutor Instance = new();

    public bool TryRun(CryptoJob job, Action<CryptoJob> done)
    {
        job.Execute();
        done(job);
        return true;
    }
}

namespace Petrel.Ike.Sa;

internal sealed partial class IkeSa
{
    /// <summary>A <see cref="CryptoJob"/> of this SA is running: later ones wait in <see cref="CryptoBacklog"/>, so results apply in order.</summary>
    public bool CryptoBusy { get; private set; }

    /// <summary>Jobs submitted while one was running, oldest first; null until needed.</summary>
    public Queue<CryptoJob>? CryptoBacklog { get; private set; }

    public void CryptoStarted() => CryptoBusy = true;

    public void CryptoFinished() => CryptoBusy = false;

    /// <summary>
    /// The exchange whose request waits for a job (a key pair, a signature) before it can be built: nothing else is sent
    /// until it is (§2.3, a window of one).
    /// </summary>
    public IkeTask? Preparing { get; private set; }

    public void StartPreparing(IkeTask task) => Preparing = task;

    /// <summary>The exchange that was waiting for its job, now to be sent (null when the SA ended meanwhile).</summary>
    public IkeTask? TakePreparing()
    {
        var t = Preparing;
        Preparing = null;
        return t;
    }

    /// <summary>Keeps a job until the running one has applied.</summary>
    public void QueueCrypto(CryptoJob job) => (CryptoBacklog ??= new()).Enqueue(job);
}

namespace Petrel.Ike.Sa;

internal sealed partial class IkeSa
{
    /// <summary>A <see cref="CryptoJob"/> of this SA is running: later ones wait in <see cref="CryptoBacklog"/>, so results apply in order.</summary>
    public bool CryptoBusy { get; private set; }

    /// <summary>Jobs submitted while one was running, oldest first; null until needed.</summary>
    public Queue<CryptoJob>? CryptoBacklog { get; private set; }

    public void CryptoStarted() => CryptoBusy = true;

    public void CryptoFinished() => CryptoBusy = false;

    /// <summary>Keeps a job until the running one has applied.</summary>
    public void QueueCrypto(CryptoJob job) => (CryptoBacklog ??= new()).Enqueue(job);
}

namespace Petrel.Tests.Harness;

/// <summary>
/// A Petrel daemon on one site and a charon on the other, kept running across the tests of a class and
/// reconfigured between them (swanctl.conf and credential folders replaced, then `petrel reload` and
/// `swanctl --load-all --clear`), so each test does not pay for two daemon starts. Started by the first
/// <see cref="Configure"/>; stopped with the fixture that owns it.
/// </summary>
public sealed class PeerPair(NamespacePair lab, LabSite petrelSite, LabSite strongSwanSite) : IDisposable
{
    public PetrelPeer? Petrel { get; private set; }
    public StrongSwanPeer? StrongSwan { get; private set; }

    public (PetrelPeer Petrel, StrongSwanPeer StrongSwan) Configure(string petrelConf, string petrelCredentials, string strongSwanConf, string strongSwanCredentials)
    {
        if (Petrel is { HasExited: false } p) p.Reload(petrelConf, petrelCredentials);
        else
        {
            Petrel?.Dispose();
            Petrel = PetrelPeer.Start(lab, petrelSite, petrelConf, petrelCredentials);
        }
        if (StrongSwan is { } s) s.Reload(strongSwanConf, strongSwanCredentials);
        else StrongSwan = StrongSwanPeer.Start(lab, strongSwanSite, strongSwanConf, strongSwanCredentials);
        return (Petrel, StrongSwan);
    }

    /// <summary>Deletes every SA on both sides (between tests) and waits until Petrel lists none.</summary>
    public void Clear(string connection)
    {
        StrongSwan?.Terminate(connection);
        if (Petrel is null) return;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Petrel.ListSasOverSocket().Sas.Count > 0 && DateTime.UtcNow < deadline)
            Thread.Sleep(200);
    }

    public void Dispose()
    {
        Petrel?.Dispose();
        StrongSwan?.Dispose();
    }
}

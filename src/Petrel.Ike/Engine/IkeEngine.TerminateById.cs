namespace Petrel.Ike.Engine;

/// <summary>
/// Deleting one SA by its unique id (vici terminate ike-id / child-id, swanctl --terminate --ike-id N), where
/// <see cref="Terminate(string, string?, Action{InitiateResult})"/> deletes every SA of a connection.
/// </summary>
public sealed partial class IkeEngine
{
    /// <summary>Deletes the IKE SA with this unique id and its CHILD_SAs; false (done not called) when there is none.</summary>
    public bool TerminateIke(uint ikeSaId, Action<InitiateResult> done)
    {
        var sa = _sas.Find(ikeSaId);
        if (sa is null || sa.State == IkeSaState.Destroying) return false;
        DeleteIkeSa(sa, done);
        return true;
    }

    /// <summary>Deletes the installed CHILD_SA with this unique id; false (done not called) when there is none.</summary>
    public bool TerminateChild(uint childId, Action<InitiateResult> done)
    {
        foreach (var sa in _sas.All)
        {
            if (sa.State == IkeSaState.Destroying) continue;
            var child = sa.Children.Find(c => c.UniqueId == childId && c.State == ChildSaState.Installed);
            if (child is null) continue;
            if (sa.Version == 1) V1.Terminate(sa, [child], done);
            else Queue(sa, InformationalTask.DeleteChildren(this, [child], done));
            return true;
        }
        return false;
    }
}

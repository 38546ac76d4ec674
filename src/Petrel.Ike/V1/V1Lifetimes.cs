using Petrel.Ike.Sa;

namespace Petrel.Ike.V1;

/// <summary>
/// IKEv1 lifetimes on the engine's schedule (LifetimeSchedule): a Quick Mode SA is rekeyed make-before-break at its
/// rekey time (a new Quick Mode on the same reqid, then a DELETE for the old SA) and deleted at its hard lifetime; the
/// ISAKMP SA, which IKEv1 cannot rekey in place, is reauthenticated at rekey_time/reauth_time (a new Main Mode with the
/// same children, then the old SA is deleted) and deleted at its hard lifetime.
/// </summary>
internal static class V1Lifetimes
{
    public static void Tick(IkeV1Protocol v1, IkeSa sa, TimeSpan now)
    {
        var e = v1.Engine;
        if (sa.State != IkeSaState.Established) return;
        if (now >= sa.ExpireAt)
        {
            sa.ExpireAt = LifetimeSchedule.Never;
            e.Log.Info(sa, $"IKE_SA {sa.Tag} reached its hard lifetime, deleting it");
            v1.Info.DeleteIkeSa(sa);
            e.Destroy(sa, "IKE_SA expired");
            return;
        }
        if (now >= sa.RekeyAt || now >= sa.ReauthAt)
        {
            sa.RekeyAt = sa.ReauthAt = LifetimeSchedule.Never;
            Reauthenticate(v1, sa);
        }
        foreach (var c in sa.Children.ToList())
        {
            if (c.State != ChildSaState.Installed) continue;
            if (now >= c.ExpireAt)
            {
                c.ExpireAt = c.RekeyAt = LifetimeSchedule.Never;
                e.Log.Info(sa, $"CHILD_SA {c.Config.Name}{{{c.UniqueId}}} reached its hard lifetime, deleting it");
                v1.Info.DeleteChild(sa, c, byPeer: false);
                continue;
            }
            if (now >= c.RekeyAt && !sa.V1!.QuickModes.Values.Any(q => ReferenceEquals(q.Replaces, c)))
            {
                c.RekeyAt = LifetimeSchedule.Never;
                e.Log.Info(sa, $"rekeying CHILD_SA {c.Config.Name}{{{c.UniqueId}}} with SPIs {c.SpiIn:x8}_i {c.SpiOut:x8}_o");
                e.Counters.ChildRekeysInitiated++;
                v1.Quick.Start(sa, c.Config, null, replaces: c);
            }
        }
    }

    /// <summary>A new Main Mode with the same children on the same reqids; once it is up the old SA is deleted.</summary>
    public static void Reauthenticate(IkeV1Protocol v1, IkeSa old)
    {
        var e = v1.Engine;
        e.Log.Info(old, $"reauthenticating IKE_SA {old.Tag}");
        e.Counters.ReauthsInitiated++;
        var children = old.Children.Where(c => c.State == ChildSaState.Installed).ToList();
        var configs = children.Select(c => c.Config).ToList();
        v1.Initiate(old.Config, configs, old.Local.Port == e.Options.NatTPort ? new System.Net.IPEndPoint(old.Local.Address, e.Options.IkePort) : old.Local,
            new System.Net.IPEndPoint(old.Remote.Address, old.Config.RemotePort), r =>
            {
                if (!r.Success)
                {
                    e.Log.Warn(old, $"reauthentication failed: {r.Message}");
                    return;
                }
                if (old.State != IkeSaState.Established) return;
                e.Log.Info(old, $"reauthenticated as IKE_SA {r.IkeSaId}, deleting the old one");
                v1.Info.DeleteIkeSa(old);
                e.Destroy(old, "reauthenticated");
            }, reqIds: children.Select(c => c.ReqId).ToList());
    }
}

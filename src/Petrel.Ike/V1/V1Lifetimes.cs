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
        var limits = sa.V1!.LifeBytes;
        if (limits.Count > 0)
            foreach (var gone in limits.Keys.Where(c => !sa.Children.Contains(c)).ToList()) limits.Remove(gone);
        foreach (var c in sa.Children.ToList())
        {
            if (c.State != ChildSaState.Installed) continue;
            var (expired, soft) = TrafficLimits(e, c, limits.GetValueOrDefault(c));
            if (expired || now >= c.ExpireAt)
            {
                c.ExpireAt = c.RekeyAt = LifetimeSchedule.Never;
                e.Log.Info(sa, $"CHILD_SA {c.Config.Name}{{{c.UniqueId}}} reached its hard lifetime, deleting it");
                v1.Info.DeleteChild(sa, c, byPeer: false);
                continue;
            }
            // A rekey in flight, or one whose new SA is taking over, is not started again (traffic stays over the limit).
            bool rekeying = sa.V1!.QuickModes.Values.Any(q => ReferenceEquals(q.Replaces, c)) || sa.V1.Switches.Any(w => ReferenceEquals(w.Old, c))
                || sa.Children.Any(o => !ReferenceEquals(o, c) && ReferenceEquals(o.Replaces, c));
            if ((soft || now >= c.RekeyAt) && !rekeying)
            {
                c.RekeyAt = LifetimeSchedule.Never;
                e.Log.Info(sa, $"rekeying CHILD_SA {c.Config.Name}{{{c.UniqueId}}} with SPIs {c.SpiIn:x8}_i {c.SpiOut:x8}_o");
                e.Counters.ChildRekeysInitiated++;
                v1.Quick.Start(sa, c.Config, null, replaces: c);
            }
        }
    }

    /// <summary>
    /// Byte and packet limits of a Quick Mode SA, on the busier direction's counters: hard at life_bytes or the negotiated
    /// kilobytes, whichever is lower, and at life_packets; soft (rekey) at rekey_bytes and rekey_packets, or at 90 % of a
    /// negotiated byte limit that rekey_bytes does not undercut.
    /// </summary>
    private static (bool Expired, bool Soft) TrafficLimits(Engine.IkeEngine e, ChildSa c, ulong negotiatedBytes)
    {
        var cfg = c.Config;
        ulong lifeBytes = QuickMode.QuickModeLifetimes.Lower(cfg.LifeBytes, negotiatedBytes);
        if (lifeBytes == 0 && !cfg.HasTrafficLimits) return (false, false);
        e.Kernel.TryGetCounters(c.SpiIn, DataPlane.Kernel.SaDirection.Inbound, out var cin);
        e.Kernel.TryGetCounters(c.SpiOut, DataPlane.Kernel.SaDirection.Outbound, out var cout);
        ulong bytes = Math.Max(cin.Bytes, cout.Bytes), packets = Math.Max(cin.Packets, cout.Packets);
        ulong rekeyBytes = cfg.RekeyBytes != 0 && (lifeBytes == 0 || cfg.RekeyBytes < lifeBytes) ? cfg.RekeyBytes : lifeBytes / 10 * 9;
        bool expired = (lifeBytes != 0 && bytes >= lifeBytes) || (cfg.LifePackets != 0 && packets >= cfg.LifePackets);
        bool soft = (rekeyBytes != 0 && bytes >= rekeyBytes) || (cfg.RekeyPackets != 0 && packets >= cfg.RekeyPackets);
        return (expired, soft);
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

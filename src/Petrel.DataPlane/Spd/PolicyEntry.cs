using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Packets;

namespace Petrel.DataPlane.Spd;

/// <summary>One installed policy (an SPD-S/-O entry pair of RFC 4301 §4.4.1), ready for matching.</summary>
internal sealed class PolicyEntry
{
    public PolicyEntry(PolicySpec spec, long order)
    {
        Spec = spec;
        Order = order;
        Local = new SelectorRange[spec.LocalTs.Count];
        for (int i = 0; i < Local.Length; i++)
            Local[i] = new SelectorRange(spec.LocalTs[i]);
        Remote = new SelectorRange[spec.RemoteTs.Count];
        for (int i = 0; i < Remote.Length; i++)
            Remote[i] = new SelectorRange(spec.RemoteTs[i]);
    }

    /// <summary>One local × remote selector pair of a policy, ordered on its own as strongSwan installs one kernel policy per pair.</summary>
    private PolicyEntry(PolicySpec spec, long order, SelectorRange local, SelectorRange remote)
    {
        Spec = spec;
        Order = order;
        Local = [local];
        Remote = [remote];
        AutoPriority = PolicyPriority.Compute(spec.Action, local, remote);
    }

    /// <summary>The entries the outbound lookup orders: one per selector pair.</summary>
    public IEnumerable<PolicyEntry> Pairs()
    {
        foreach (var l in Local)
        {
            foreach (var r in Remote)
            {
                if (l.Family == r.Family)
                    yield return new PolicyEntry(Spec, Order, l, r);
            }
        }
    }

    /// <summary>strongSwan's implicit order (<see cref="PolicyPriority"/>), used after the configured <see cref="PolicySpec.Priority"/>.</summary>
    public long AutoPriority { get; }

    public PolicySpec Spec { get; }
    public uint ReqId => Spec.ReqId;
    public PolicyAction Action => Spec.Action;

    /// <summary>Install order, the tie-breaker among equal priorities.</summary>
    public long Order { get; }

    public SelectorRange[] Local { get; }
    public SelectorRange[] Remote { get; }

    /// <summary>Outbound: a packet from a local selector to a remote one.</summary>
    public bool MatchesOutbound(in PacketFlow flow) => AnyMatch(Local, flow, asSource: true) && AnyMatch(Remote, flow, asSource: false);

    /// <summary>Inbound (after decryption): from a remote selector to a local one.</summary>
    public bool MatchesInbound(in PacketFlow flow) => AnyMatch(Remote, flow, asSource: true) && AnyMatch(Local, flow, asSource: false);

    private static bool AnyMatch(SelectorRange[] ranges, in PacketFlow flow, bool asSource)
    {
        for (int i = 0; i < ranges.Length; i++)
        {
            if (ranges[i].Matches(flow, asSource))
                return true;
        }
        return false;
    }
}

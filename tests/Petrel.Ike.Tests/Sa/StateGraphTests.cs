using System.Net;
using Petrel.Ike;
using Petrel.Ike.Config;

namespace Petrel.Ike.Tests.Sa;

/// <summary>
/// SPEC.md §1's IKE SA graph, pair by pair: every edge it draws is taken, every other pair is refused
/// without changing the state, and the CHILD_SA graph likewise.
/// </summary>
public class StateGraphTests
{
    // The edges, written out once more by hand from SPEC.md (not derived from the code under test).
    private static readonly (IkeSaState From, IkeSaState To)[] IkeEdges =
    [
        (IkeSaState.Created, IkeSaState.Connecting), (IkeSaState.Created, IkeSaState.Passive), (IkeSaState.Created, IkeSaState.Destroying),
        (IkeSaState.Connecting, IkeSaState.Established), (IkeSaState.Connecting, IkeSaState.Deleting), (IkeSaState.Connecting, IkeSaState.Destroying),
        (IkeSaState.Established, IkeSaState.Rekeying), (IkeSaState.Established, IkeSaState.Rekeyed), (IkeSaState.Established, IkeSaState.Passive),
        (IkeSaState.Established, IkeSaState.Deleting), (IkeSaState.Established, IkeSaState.Destroying),
        (IkeSaState.Passive, IkeSaState.Established), (IkeSaState.Passive, IkeSaState.Deleting), (IkeSaState.Passive, IkeSaState.Destroying),
        (IkeSaState.Rekeying, IkeSaState.Established), (IkeSaState.Rekeying, IkeSaState.Rekeyed), (IkeSaState.Rekeying, IkeSaState.Deleting), (IkeSaState.Rekeying, IkeSaState.Destroying),
        (IkeSaState.Rekeyed, IkeSaState.Deleting), (IkeSaState.Rekeyed, IkeSaState.Destroying),
        (IkeSaState.Deleting, IkeSaState.Destroying),
    ];

    private static readonly (ChildSaState From, ChildSaState To)[] ChildEdges =
    [
        (ChildSaState.Created, ChildSaState.Routed), (ChildSaState.Created, ChildSaState.Installing), (ChildSaState.Created, ChildSaState.Retrying), (ChildSaState.Created, ChildSaState.Destroying),
        (ChildSaState.Routed, ChildSaState.Installing), (ChildSaState.Routed, ChildSaState.Destroying),
        (ChildSaState.Retrying, ChildSaState.Installing), (ChildSaState.Retrying, ChildSaState.Destroying),
        (ChildSaState.Installing, ChildSaState.Installed), (ChildSaState.Installing, ChildSaState.Destroying),
        (ChildSaState.Installed, ChildSaState.Updating), (ChildSaState.Installed, ChildSaState.Rekeying), (ChildSaState.Installed, ChildSaState.Rekeyed),
        (ChildSaState.Installed, ChildSaState.Deleting), (ChildSaState.Installed, ChildSaState.Destroying),
        (ChildSaState.Updating, ChildSaState.Installed), (ChildSaState.Updating, ChildSaState.Deleting), (ChildSaState.Updating, ChildSaState.Destroying),
        (ChildSaState.Rekeying, ChildSaState.Installed), (ChildSaState.Rekeying, ChildSaState.Rekeyed), (ChildSaState.Rekeying, ChildSaState.Deleting), (ChildSaState.Rekeying, ChildSaState.Destroying),
        (ChildSaState.Rekeyed, ChildSaState.Deleting), (ChildSaState.Rekeyed, ChildSaState.Destroying),
        (ChildSaState.Deleting, ChildSaState.Deleted), (ChildSaState.Deleting, ChildSaState.Destroying),
        (ChildSaState.Deleted, ChildSaState.Destroying),
    ];

    public static TheoryData<IkeSaState, IkeSaState> AllIkePairs()
    {
        var data = new TheoryData<IkeSaState, IkeSaState>();
        foreach (var from in Enum.GetValues<IkeSaState>())
            foreach (var to in Enum.GetValues<IkeSaState>())
                if (from != to) data.Add(from, to);
        return data;
    }

    public static TheoryData<ChildSaState, ChildSaState> AllChildPairs()
    {
        var data = new TheoryData<ChildSaState, ChildSaState>();
        foreach (var from in Enum.GetValues<ChildSaState>())
            foreach (var to in Enum.GetValues<ChildSaState>())
                if (from != to) data.Add(from, to);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllIkePairs))]
    public void Ike_sa_takes_exactly_the_edges_of_the_spec_graph(IkeSaState from, IkeSaState to)
    {
        int notified = 0;
        bool armed = false;
        var sa = SaIn(from, (_, old) => { if (!armed) return; Assert.Equal(from, old); notified++; });
        armed = true;
        bool edge = IkeEdges.Contains((from, to));
        Assert.Equal(edge, IkeSaStateGraph.Allows(from, to));
        if (edge)
        {
            sa.MoveTo(to);
            Assert.Equal(to, sa.State);
            Assert.Equal(1, notified);
        }
        else
        {
            var e = Assert.Throws<InvalidStateTransitionException>(() => sa.MoveTo(to));
            Assert.Equal(from, sa.State);
            Assert.Equal(0, notified);
            Assert.Contains($"{StateNames.Of(from)} -> {StateNames.Of(to)}", e.Message);
        }
    }

    [Fact]
    public void Destroying_is_final_and_a_move_to_the_current_state_changes_nothing()
    {
        int notified = 0;
        var sa = SaIn(IkeSaState.Destroying, (_, _) => notified++);
        notified = 0;
        foreach (var s in Enum.GetValues<IkeSaState>())
            Assert.Equal(s == IkeSaState.Destroying, IkeSaStateGraph.Allows(IkeSaState.Destroying, s) || s == IkeSaState.Destroying);
        sa.MoveTo(IkeSaState.Destroying);
        Assert.Equal(0, notified);
    }

    [Theory]
    [MemberData(nameof(AllChildPairs))]
    public void Child_sa_takes_exactly_the_edges_of_its_graph(ChildSaState from, ChildSaState to)
    {
        var child = ChildIn(from);
        bool edge = ChildEdges.Contains((from, to));
        Assert.Equal(edge, ChildSaStateGraph.Allows(from, to));
        if (edge)
        {
            child.MoveTo(to);
            Assert.Equal(to, child.State);
        }
        else
        {
            Assert.Throws<InvalidStateTransitionException>(() => child.MoveTo(to));
            Assert.Equal(from, child.State);
        }
    }

    /// <summary>An SA brought to a state along edges of the graph only (so the walk itself is checked too).</summary>
    internal static IkeSa SaIn(IkeSaState state, Action<IkeSa, IkeSaState>? observer = null)
    {
        var sa = new IkeSa
        {
            Observer = observer,
            UniqueId = 1,
            Config = Petrel.Ike.Tests.Ike.EnginePeer.Connection("c", IPAddress.Loopback, IPAddress.Loopback, "a", "b", "aes128-sha256-modp2048", "aes128gcm16"),
            IsInitiator = true,
            Local = new IPEndPoint(IPAddress.Loopback, 500),
            Remote = new IPEndPoint(IPAddress.Loopback, 500),
        };
        IkeSaState[] path = state switch
        {
            IkeSaState.Created => [],
            IkeSaState.Connecting => [IkeSaState.Connecting],
            IkeSaState.Established => [IkeSaState.Connecting, IkeSaState.Established],
            IkeSaState.Passive => [IkeSaState.Passive],
            IkeSaState.Rekeying => [IkeSaState.Connecting, IkeSaState.Established, IkeSaState.Rekeying],
            IkeSaState.Rekeyed => [IkeSaState.Connecting, IkeSaState.Established, IkeSaState.Rekeyed],
            IkeSaState.Deleting => [IkeSaState.Connecting, IkeSaState.Established, IkeSaState.Deleting],
            _ => [IkeSaState.Connecting, IkeSaState.Established, IkeSaState.Deleting, IkeSaState.Destroying],
        };
        foreach (var s in path) sa.MoveTo(s);
        Assert.Equal(state, sa.State);
        return sa;
    }

    private static ChildSa ChildIn(ChildSaState state)
    {
        var child = new ChildSa { UniqueId = 1, ReqId = 1, Config = new ChildConfig { Name = "net" } };
        ChildSaState[] path = state switch
        {
            ChildSaState.Created => [],
            ChildSaState.Routed => [ChildSaState.Routed],
            ChildSaState.Retrying => [ChildSaState.Retrying],
            ChildSaState.Installing => [ChildSaState.Installing],
            ChildSaState.Installed => [ChildSaState.Installing, ChildSaState.Installed],
            ChildSaState.Updating => [ChildSaState.Installing, ChildSaState.Installed, ChildSaState.Updating],
            ChildSaState.Rekeying => [ChildSaState.Installing, ChildSaState.Installed, ChildSaState.Rekeying],
            ChildSaState.Rekeyed => [ChildSaState.Installing, ChildSaState.Installed, ChildSaState.Rekeyed],
            ChildSaState.Deleting => [ChildSaState.Installing, ChildSaState.Installed, ChildSaState.Deleting],
            ChildSaState.Deleted => [ChildSaState.Installing, ChildSaState.Installed, ChildSaState.Deleting, ChildSaState.Deleted],
            _ => [ChildSaState.Destroying],
        };
        foreach (var s in path) child.MoveTo(s);
        Assert.Equal(state, child.State);
        return child;
    }
}

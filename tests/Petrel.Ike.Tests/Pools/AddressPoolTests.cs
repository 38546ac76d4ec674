using System.Net;
using System.Net.Sockets;
using Petrel.Ike.Pools;

namespace Petrel.Ike.Tests.Pools;

public class AddressPoolTests
{
    private static AddressPoolConfig Pool(string name, string addrs)
    {
        Assert.True(AddressRange.TryParse(addrs, out var r, out string error), error);
        return new AddressPoolConfig { Name = name, Addresses = r! };
    }

    private static readonly AddressFamily V4 = AddressFamily.InterNetwork, V6 = AddressFamily.InterNetworkV6;

    [Fact]
    public void New_identities_get_distinct_addresses_in_order()
    {
        var set = new AddressPoolSet([Pool("rw", "10.3.0.0/24")]);
        var a = set.Acquire(["rw"], "alice", V4, null)!;
        var b = set.Acquire(["rw"], "bob", V4, IPAddress.Any)!;
        Assert.Equal(IPAddress.Parse("10.3.0.1"), a.Address);
        Assert.Equal(IPAddress.Parse("10.3.0.2"), b.Address);
        Assert.Equal("rw", a.Pool);
        Assert.Equal((2, 0), (set.List(false)[0].Online, set.List(false)[0].Offline));
    }

    [Fact]
    public void Released_lease_goes_offline_and_comes_back_to_the_same_identity()
    {
        var set = new AddressPoolSet([Pool("rw", "10.3.0.0/24")]);
        var alice = set.Acquire(["rw"], "alice", V4, null)!;
        set.Acquire(["rw"], "bob", V4, null);
        Assert.True(set.Release(alice));
        Assert.False(set.Release(alice)); // released once only
        var summary = set.List(true)[0];
        Assert.Equal((1, 1), (summary.Online, summary.Offline));
        Assert.Contains(new PoolLease(IPAddress.Parse("10.3.0.1"), "alice", false), summary.Leases);

        var carol = set.Acquire(["rw"], "carol", V4, null)!;
        Assert.Equal(IPAddress.Parse("10.3.0.3"), carol.Address); // a fresh address before alice's offline one
        var again = set.Acquire(["rw"], "alice", V4, null)!;
        Assert.Equal(alice.Address, again.Address);
    }

    [Fact]
    public void Full_pool_reassigns_the_longest_offline_lease_then_refuses()
    {
        var set = new AddressPoolSet([Pool("small", "10.3.0.10-10.3.0.11")]);
        var a = set.Acquire(["small"], "a", V4, null)!;
        var b = set.Acquire(["small"], "b", V4, null)!;
        Assert.Null(set.Acquire(["small"], "c", V4, null));
        set.Release(b);
        set.Release(a);
        var c = set.Acquire(["small"], "c", V4, null)!;
        Assert.Equal(b.Address, c.Address); // b went offline first
        Assert.False(set.Release(b));        // b no longer owns it
        var lease = set.List(true)[0].Leases.Single(l => l.Address.Equals(c.Address));
        Assert.Equal(("c", true), (lease.Identity, lease.Online));
        // a still gets its own address back
        Assert.Equal(a.Address, set.Acquire(["small"], "a", V4, null)!.Address);
        Assert.Null(set.Acquire(["small"], "d", V4, null));
    }

    [Fact]
    public void Same_identity_twice_online_gets_two_addresses_but_shares_one_it_asks_for()
    {
        var set = new AddressPoolSet([Pool("rw", "10.3.0.0/24")]);
        var first = set.Acquire(["rw"], "alice", V4, null)!;
        var second = set.Acquire(["rw"], "alice", V4, null)!;
        Assert.NotEqual(first.Address, second.Address);
        // Reauthentication asks for the address it has: both SAs hold it until both release it.
        var shared = set.Acquire(["rw"], "alice", V4, first.Address)!;
        Assert.Equal(first.Address, shared.Address);
        set.Release(first);
        Assert.Equal(0, set.List(false)[0].Offline);
        set.Release(shared);
        Assert.Equal(1, set.List(false)[0].Offline);
    }

    [Fact]
    public void Asking_for_another_identitys_address_gets_a_new_one()
    {
        var set = new AddressPoolSet([Pool("rw", "10.3.0.0/24")]);
        var alice = set.Acquire(["rw"], "alice", V4, null)!;
        var bob = set.Acquire(["rw"], "bob", V4, alice.Address)!;
        Assert.NotEqual(alice.Address, bob.Address);
    }

    [Fact]
    public void Pools_are_tried_in_order_by_family_and_existing_leases_win_over_new_ones()
    {
        var set = new AddressPoolSet([Pool("one", "10.3.0.1"), Pool("two", "10.4.0.0/24"), Pool("six", "fd00:3::/120")]);
        var a = set.Acquire(["one", "two", "six"], "a", V4, null)!;
        var b = set.Acquire(["one", "two", "six"], "b", V4, null)!;
        var a6 = set.Acquire(["one", "two", "six"], "a", V6, null)!;
        Assert.Equal(("one", "two", "six"), (a.Pool, b.Pool, a6.Pool));
        Assert.Equal(IPAddress.Parse("fd00:3::1"), a6.Address);
        set.Release(b);
        // b's offline lease in "two" is found before "one"'s (full) or "two"'s new addresses
        Assert.Equal(b.Address, set.Acquire(["one", "two"], "b", V4, null)!.Address);
        Assert.Null(set.Acquire(["one"], "c", V4, null));
        Assert.Null(set.Acquire(["missing"], "c", V4, null));
    }

    [Fact]
    public void Reload_keeps_leases_of_unchanged_pools_and_resets_changed_ones()
    {
        var set = new AddressPoolSet([Pool("keep", "10.3.0.0/24"), Pool("change", "10.4.0.0/24")]);
        var k = set.Acquire(["keep"], "a", V4, null)!;
        set.Acquire(["change"], "a", V4, null);
        set.Load([Pool("keep", "10.3.0.0/24") with { Dns = [IPAddress.Parse("10.3.0.53")] }, Pool("change", "10.5.0.0/24")]);
        Assert.Equal(1, set.List(false).Single(p => p.Name == "keep").Online);
        Assert.Equal(0, set.List(false).Single(p => p.Name == "change").Online);
        Assert.Single(set.Find("keep")!.Dns);
        Assert.True(set.Release(k));
    }

    [Fact]
    public void Memory_follows_the_leases_not_the_pool_size()
    {
        var set = new AddressPoolSet([Pool("big", "fd00::/64")]);
        for (int i = 0; i < 1000; i++)
            set.Acquire(["big"], $"user{i}", V6, null);
        var s = set.List(true)[0];
        Assert.Equal(int.MaxValue - 1, s.Size);
        Assert.Equal(1000, s.Leases.Count);
        Assert.Equal(IPAddress.Parse("fd00::3e8"), s.Leases[^1].Address);
    }
}

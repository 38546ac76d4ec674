using Petrel.Ike.Pools;

namespace Petrel.Ike.Engine;

/// <summary>
/// Virtual IPs (RFC 7296 §3.15): the address pools a responder leases from, and the host a virtual IP
/// assigned to us is installed on. A destroyed IKE SA returns its leases (strongSwan's mem-pool keeps them
/// offline for the same identity) and removes its own virtual IPs; an IKE SA rekey hands both to its successor.
/// </summary>
public sealed partial class IkeEngine
{
    /// <summary>swanctl.conf pools { }: the daemon loads them (<see cref="AddressPoolSet.Load"/>); list-pools reads them.</summary>
    public AddressPoolSet Pools { get; } = new();

    /// <summary>Installs virtual IPs assigned to us; null: they are only recorded (tests, no TUN device).</summary>
    public IVirtualIpHost? VirtualIpHost { get; set; }

    AddressPoolSet IIkeContext.Pools => Pools;
    IVirtualIpHost? IIkeContext.VirtualIpHost => VirtualIpHost;

    private void ReleaseVirtualIps(IkeSa sa)
    {
        foreach (var lease in sa.PeerVips)
        {
            if (Pools.Release(lease))
                Log.Info(sa, $"lease {lease.Address} of '{lease.Identity}' went offline in pool '{lease.Pool}'");
        }
        sa.PeerVips.Clear();
        foreach (var vip in sa.OwnVips)
        {
            try
            {
                VirtualIpHost?.Remove(vip);
                Log.Info(sa, $"removed virtual IP {vip}");
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                Log.Warn(sa, $"removing virtual IP {vip} failed: {e.Message}");
            }
        }
        sa.OwnVips.Clear();
        if (sa.OwnDns.Count > 0)
        {
            try
            {
                VirtualIpHost?.RemoveDns(sa.OwnDns);
                Log.Info(sa, $"removed DNS server(s) {string.Join(", ", sa.OwnDns)} from the resolver");
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                Log.Warn(sa, $"removing DNS server(s) from the resolver failed: {e.Message}");
            }
            sa.OwnDns.Clear();
        }
    }

    private static void MoveVirtualIps(IkeSa old, IkeSa successor)
    {
        successor.PeerVips.AddRange(old.PeerVips);
        old.PeerVips.Clear();
        successor.OwnVips.AddRange(old.OwnVips);
        old.OwnVips.Clear();
        successor.OwnDns.AddRange(old.OwnDns);
        old.OwnDns.Clear();
        // The RADIUS session lives on in the rekeyed IKE SA (its CHILD_SAs move along).
        (successor.RadiusAccounting, old.RadiusAccounting) = (old.RadiusAccounting, null);
        successor.RadiusAccept ??= old.RadiusAccept;
    }
}

using System.Net;
using System.Net.Sockets;
using Petrel.Ike.Pools;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.IkeAuth;

/// <summary>
/// The responder's CFG_REQUEST → CFG_REPLY in IKE_AUTH (RFC 7296 §3.15, §2.19): each INTERNAL_IP4/6_ADDRESS
/// asked for gets a lease from the connection's pools (the same identity gets its old address back), and the
/// DNS / NBNS servers of the pools that gave one go with it. Called once the peer is authenticated and before
/// the first CHILD_SA, whose "dynamic" remote selector then narrows to the virtual IP. A client that a RADIUS server
/// accepted with a Framed-IP-Address gets that address instead of a lease (as strongSwan's eap-radius provider, which
/// comes before the pools; Framed-IPv6-Address, or a /128 Framed-IPv6-Prefix, for IPv6), unless another client's SA
/// holds that address already (then the pools, as if the server had named none), and the DNS servers the server named (MS-Primary/Secondary-DNS-Server) go with the pools'.
/// </summary>
internal static class ConfigurationAttributesResponder
{
    public static void Respond(IIkeContext context, IkeSa sa, IkeMessage request, IkeMessage response)
    {
        if (request.Get<ConfigurationPayload>() is not { ConfigurationType: ConfigurationType.Request } cp)
            return;
        var families = new List<(AddressFamily Family, IPAddress? Requested)>();
        foreach (var a in cp.Attributes)
        {
            if (ConfigurationAttributeValues.RequestedFamily(a) is not { } family || families.Exists(f => f.Family == family))
                continue;
            families.Add((family, ConfigurationAttributeValues.TryReadAddress(a, out var ip, out _) ? ip : null));
        }
        if (families.Count == 0)
            return;
        string identity = sa.VipIdentity();
        var radius = sa.RadiusAccept;
        if (sa.Config.Pools.Count == 0 && radius?.FramedIp is null && radius?.FramedIpv6 is null)
        {
            context.Log.Info(sa, $"peer '{identity}' asks for a virtual IP, but connection '{sa.Config.Name}' has no pools");
            return;
        }

        var reply = new List<ConfigurationAttribute>();
        var servedPools = new List<string>();
        foreach (var (family, requested) in families)
        {
            if (radius?.FramedFor(family) is { } framed)
            {
                string attribute = family == AddressFamily.InterNetwork ? "Framed-IP-Address" : radius.FramedIpv6Source;
                // Two clients must never share an address: a Framed-IP another client holds is not given twice
                // (the same identity may hold it: its old SA is being replaced or reauthenticated).
                if (context.Sas.VipHolder(framed, sa) is { } holder && holder.VipIdentity() != identity)
                {
                    context.Log.Warn(sa, $"the RADIUS server assigned {framed} ({attribute}) to '{identity}', but IKE_SA {holder.Tag} of '{holder.VipIdentity()}' holds it; " +
                        (sa.Config.Pools.Count > 0 ? "taking an address from the pools instead" : "no virtual IP for this client"));
                }
                else
                {
                    sa.PeerVips.Add(new PoolAssignment(framed, null, identity));
                    reply.Add(ConfigurationAttributeValues.Address(framed));
                    context.Log.Info(sa, $"assigning virtual IP {framed} to peer '{identity}' from the RADIUS server ({attribute})");
                    continue;
                }
            }
            if (sa.Config.Pools.Count == 0) continue;
            var lease = context.Pools.Acquire(sa.Config.Pools, identity, family, requested);
            if (lease is null)
            {
                context.Log.Warn(sa, $"no {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} virtual IP for '{identity}': pools {string.Join(", ", sa.Config.Pools)} have none left (or none of that family)");
                continue;
            }
            sa.PeerVips.Add(lease);
            reply.Add(ConfigurationAttributeValues.Address(lease.Address));
            if (lease.Pool is { } p && !servedPools.Contains(p)) servedPools.Add(p);
            context.Log.Info(sa, $"assigning virtual IP {lease.Address} to peer '{identity}' from pool '{lease.Pool}'");
        }
        foreach (var dns in radius?.Dns ?? [])
            reply.Add(ConfigurationAttributeValues.Dns(dns));
        foreach (string name in servedPools)
        {
            if (context.Pools.Find(name) is not { } pool) continue;
            foreach (var dns in pool.Dns) reply.Add(ConfigurationAttributeValues.Dns(dns));
            foreach (var nbns in pool.Nbns) reply.Add(ConfigurationAttributeValues.Nbns(nbns));
        }
        if (reply.Count > 0)
            response.Payloads.Add(new ConfigurationPayload(ConfigurationType.Reply, reply));
    }
}

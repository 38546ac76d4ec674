using System.Net;
using System.Net.Sockets;
using Petrel.Ike.Sa;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.ModeConfig;

/// <summary>
/// Mode Config as server (draft-dukes-ike-mode-cfg §3.3): in pull mode (`pull = yes`, strongSwan's default) the
/// client's CFG_REQUEST(INTERNAL_IP4_ADDRESS, …) is answered with CFG_REPLY from the connection's pools, the same
/// leases and pools IKEv2's configuration payload uses (the XAuth user, else the IKE identity, gets its old address
/// back) plus the pools' DNS servers; in push mode (`pull = no`) we send CFG_SET once the peer is authenticated and it
/// answers CFG_ACK. Quick Mode's "dynamic" remote selector then stands for the virtual IP.
/// </summary>
internal sealed class ModeConfigServer(TransactionExchange t)
{
    public void OnRequest(IkeSa sa, uint messageId, CfgPayload cfg)
    {
        if (XAuth.XAuthMethod.IsServer(sa.Config) && !sa.V1!.Transactions.XAuthOk)
        {
            t.V1.Drop(sa, sa.Remote, "Mode Config request before XAuth succeeded");
            return;
        }
        var families = new List<(AddressFamily Family, IPAddress? Requested)>();
        foreach (var a in cfg.Attributes)
        {
            var family = a.Type switch
            {
                CfgAttribute.InternalIp4Address => AddressFamily.InterNetwork,
                CfgAttribute.InternalIp6Address => AddressFamily.InterNetworkV6,
                _ => AddressFamily.Unknown,
            };
            if (family == AddressFamily.Unknown || families.Exists(f => f.Family == family)) continue;
            families.Add((family, ReadAddress(a.Data, family) is { } ip && !IsAny(ip) ? ip : null));
        }
        var reply = Assign(sa, families);
        t.SendAnswer(sa, messageId, new CfgPayload(CfgType.Reply, cfg.Identifier, reply));
    }

    /// <summary>Push mode: after XAuth (or Main Mode without it) send the virtual IP unasked.</summary>
    public void PushIfConfigured(IkeSa sa)
    {
        var framed = sa.RadiusAccept?.FramedIp;
        if (sa.Config.ModeConfigPull || (sa.Config.Pools.Count == 0 && framed is null) || sa.PeerVips.Count > 0) return;
        var families = sa.Config.Pools.Select(p => t.E.Pools.Find(p)?.Addresses.First.AddressFamily ?? AddressFamily.Unknown)
            .Append(framed?.AddressFamily ?? AddressFamily.Unknown)
            .Where(f => f != AddressFamily.Unknown).Distinct().Select(f => (f, (IPAddress?)null)).ToList();
        var attributes = Assign(sa, families);
        if (attributes.Count == 0) return;
        t.SendRequest(sa, new CfgPayload(CfgType.Set, t.NewIdentifier(), attributes), XAuth.TransactionKind.ModeConfigSet);
    }

    public void OnAck(IkeSa sa, CfgPayload cfg)
    {
        if (cfg.Type != CfgType.Ack)
            t.E.Log.Warn(sa, $"Mode Config: the peer answered our CFG_SET with {CfgNames.Type(cfg.Type)}");
        else
            t.E.Log.Debug(sa, "Mode Config: the peer acknowledged its virtual IP");
    }

    private List<Wire.SaAttribute> Assign(IkeSa sa, List<(AddressFamily Family, IPAddress? Requested)> families)
    {
        var reply = new List<SaAttribute>();
        if (families.Count == 0) return reply;
        string identity = sa.V1!.Transactions.XAuthOk && sa.V1.Transactions.XAuthUser is { } user ? user
            : sa.RemoteId?.ToString() ?? sa.Remote.Address.ToString();
        var radius = sa.RadiusAccept;
        if (sa.Config.Pools.Count == 0 && radius?.FramedIp is null)
        {
            t.E.Log.Info(sa, $"peer '{identity}' asks for a virtual IP, but connection '{sa.Config.Name}' has no pools");
            return reply;
        }
        var served = new List<string>();
        foreach (var (family, requested) in families)
        {
            var lease = sa.PeerVips.Find(v => v.Address.AddressFamily == family);
            if (lease is null && radius?.FramedIp is { } framed && framed.AddressFamily == family)
            {
                // As strongSwan's eap-radius attribute provider, which comes before the pools: the RADIUS server's address wins.
                lease = new Pools.PoolAssignment(framed, null, identity);
                sa.PeerVips.Add(lease);
                t.E.Log.Info(sa, $"assigning virtual IP {framed} to peer '{identity}' from the RADIUS server (Framed-IP-Address)");
            }
            if (lease is null)
            {
                lease = t.E.Pools.Acquire(sa.Config.Pools, identity, family, requested);
                if (lease is null)
                {
                    t.E.Log.Warn(sa, $"no {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} virtual IP for '{identity}': pools {string.Join(", ", sa.Config.Pools)} have none left (or none of that family)");
                    continue;
                }
                sa.PeerVips.Add(lease);
                t.E.Log.Info(sa, $"assigning virtual IP {lease.Address} to peer '{identity}' from pool '{lease.Pool}'");
            }
            reply.Add(new SaAttribute(family == AddressFamily.InterNetwork ? CfgAttribute.InternalIp4Address : CfgAttribute.InternalIp6Address,
                family == AddressFamily.InterNetwork ? lease.Address.GetAddressBytes() : [.. lease.Address.GetAddressBytes(), 128], false));
            if (lease.Pool is { } p && !served.Contains(p)) served.Add(p);
        }
        if (reply.Count > 0)
            foreach (var dns in radius?.Dns ?? [])
                reply.Add(new SaAttribute(CfgAttribute.InternalIp4Dns, dns.GetAddressBytes(), false));
        foreach (string name in served)
        {
            if (t.E.Pools.Find(name) is not { } pool) continue;
            foreach (var dns in pool.Dns)
                reply.Add(new SaAttribute(dns.AddressFamily == AddressFamily.InterNetwork ? CfgAttribute.InternalIp4Dns : CfgAttribute.InternalIp6Dns, dns.GetAddressBytes(), false));
            foreach (var nbns in pool.Nbns.Where(n => n.AddressFamily == AddressFamily.InterNetwork))
                reply.Add(new SaAttribute(CfgAttribute.InternalIp4Nbns, nbns.GetAddressBytes(), false));
        }
        if (reply.Count > 0) t.StartAccounting(sa);
        return reply;
    }

    /// <summary>An address attribute's value: 4 octets (IPv4) or 16 (+ a prefix octet for INTERNAL_IP6_ADDRESS).</summary>
    public static IPAddress? ReadAddress(byte[] data, AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork when data.Length == 4 => new IPAddress(data),
        AddressFamily.InterNetworkV6 when data.Length is 16 or 17 => new IPAddress(data.AsSpan(0, 16)),
        _ => null,
    };

    public static bool IsAny(IPAddress ip) => ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any);
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Petrel.Config;

/// <summary>
/// The local and peer addresses of one route-based interface: petrel { interfaces { NAME { local = …  peer = … } } }.
/// <c>local</c> lists at most one address per family (IPv4, IPv6), each optionally with a prefix length
/// (169.254.10.1/30: a subnet on the link); <c>peer</c> at most one per family, each paired with the local
/// address of its family as a point-to-point link (`ip address add 169.254.10.1 peer 169.254.10.2/32`), its
/// prefix length the peer's (a host address by default). BGP peers on these addresses (neighbor 169.254.10.2).
/// </summary>
public static class InterfaceAddressReader
{
    public static IReadOnlyList<TunnelAddress> Read(SettingsSection body)
    {
        string where = body.Path;
        var locals = Parse(body.FindEntry("local"), where, "local");
        var peers = Parse(body.FindEntry("peer"), where, "peer");
        var result = new List<TunnelAddress>();
        foreach (var (peer, peerLength, peerEntry) in peers)
        {
            if (!locals.Any(l => l.Address.AddressFamily == peer.AddressFamily))
                throw SettingValues.Error(peerEntry, where, $"peer {peer} has no local address of its family: add one to local (e.g. local = {(peer.AddressFamily == AddressFamily.InterNetwork ? "169.254.10.1" : "fe80::1")})");
        }
        foreach (var (local, localLength, localEntry) in locals)
        {
            var match = peers.FirstOrDefault(p => p.Address.AddressFamily == local.AddressFamily);
            if (match.Address is null)
            {
                result.Add(new TunnelAddress(local, localLength ?? Host(local), null));
                continue;
            }
            if (localLength is not null)
                throw SettingValues.Error(localEntry, where, $"'{local}/{localLength}': with a peer address the prefix length belongs to the peer (peer = {match.Address}/{localLength}); write local without one");
            if (match.Address.Equals(local))
                throw SettingValues.Error(match.Entry, where, $"peer {local} is the local address; give the other end's");
            result.Add(new TunnelAddress(local, match.Length ?? Host(local), match.Address));
        }
        return result;
    }

    private static int Host(IPAddress a) => a.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;

    private static List<(IPAddress Address, int? Length, SettingsEntry Entry)> Parse(SettingsEntry? e, string where, string key)
    {
        var list = new List<(IPAddress, int?, SettingsEntry)>();
        if (e is null)
            return list;
        var items = SettingValues.List(e);
        if (items.Count == 0)
            throw SettingValues.Error(e, where, $"{key} needs an address (IPv4 and/or IPv6, comma-separated)");
        foreach (var item in items)
        {
            int slash = item.IndexOf('/');
            string text = slash < 0 ? item : item[..slash];
            if (!IPAddress.TryParse(text, out var address) || text.Contains('%') || !text.Any(c => c is '.' or ':'))
                throw SettingValues.Error(e, where, $"'{item}' is not an IP address (optionally with /prefix length)");
            int? length = null;
            if (slash >= 0)
            {
                if (!int.TryParse(item.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || n > Host(address))
                    throw SettingValues.Error(e, where, $"'{item}': the prefix length must be 1 to {Host(address)}");
                length = n;
            }
            if (IsUnusable(address))
                throw SettingValues.Error(e, where, $"'{item}' cannot be an interface address (unspecified, multicast or broadcast)");
            if (list.Any(l => l.Item1.AddressFamily == address.AddressFamily))
                throw SettingValues.Error(e, where, $"{key} has two {(address.AddressFamily == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} addresses; one per family");
            list.Add((address, length, e));
        }
        return list;
    }

    private static bool IsUnusable(IPAddress a)
    {
        if (a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) || a.Equals(IPAddress.Broadcast) || a.IsIPv6Multicast)
            return true;
        if (a.AddressFamily == AddressFamily.InterNetwork)
        {
            byte first = a.GetAddressBytes()[0];
            return first is >= 224 and <= 239;
        }
        return false;
    }
}

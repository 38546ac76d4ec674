using System.Net;
using System.Net.Sockets;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.IkeAuth;

/// <summary>
/// The initiator's side of RFC 7296 §3.15 in IKE_AUTH: with <c>vips</c> configured the request carries a
/// CFG_REQUEST (an address of each family, empty or the one we would like, and DNS); the CFG_REPLY's addresses
/// become our virtual IPs: installed on the TUN device and used as our inner address (the CHILD_SA's local
/// selector), as strongSwan does. No address in the reply fails the IKE SA, as strongSwan's initiator does.
/// </summary>
internal static class ConfigurationAttributesInitiator
{
    public static void AddRequest(IkeSa sa, IkeMessage request)
    {
        if (sa.Config.Vips.Count == 0)
            return;
        var attributes = new List<ConfigurationAttribute>();
        foreach (var vip in sa.Config.Vips)
        {
            attributes.Add(ConfigurationAttributeValues.AddressRequest(vip, vip.AddressFamily));
            attributes.Add(ConfigurationAttributeValues.Empty(vip.AddressFamily == AddressFamily.InterNetwork
                ? ConfigurationAttribute.InternalIp4Dns : ConfigurationAttribute.InternalIp6Dns));
        }
        request.Payloads.Add(new ConfigurationPayload(ConfigurationType.Request, attributes));
    }

    /// <summary>Takes the assigned virtual IPs; returns the reason to fail the IKE SA, or null.</summary>
    public static string? ProcessReply(IIkeContext context, IkeSa sa, IkeMessage response)
    {
        if (sa.Config.Vips.Count == 0)
            return null;
        var dns = new List<IPAddress>();
        if (response.Get<ConfigurationPayload>() is { ConfigurationType: ConfigurationType.Reply } cp)
        {
            foreach (var a in cp.Attributes)
            {
                if (!ConfigurationAttributeValues.TryReadAddress(a, out var ip, out _))
                    continue;
                if (a.AttributeType is ConfigurationAttribute.InternalIp4Address or ConfigurationAttribute.InternalIp6Address)
                {
                    // Only families we asked for, one address each.
                    if (!sa.Config.Vips.Any(v => v.AddressFamily == ip.AddressFamily) || sa.OwnVips.Exists(v => v.AddressFamily == ip.AddressFamily)
                        || ConfigurationAttributeValues.IsAny(ip))
                        continue;
                    sa.OwnVips.Add(ip);
                }
                else if (a.AttributeType is ConfigurationAttribute.InternalIp4Dns or ConfigurationAttribute.InternalIp6Dns)
                {
                    dns.Add(ip);
                }
            }
        }
        if (sa.OwnVips.Count == 0)
            return $"virtual IP requested (vips = {string.Join(", ", sa.Config.Vips)}), but the peer assigned none";
        foreach (var vip in sa.OwnVips)
        {
            try
            {
                context.VirtualIpHost?.Add(vip);
                context.Log.Info(sa, $"installing virtual IP {vip}");
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                return $"installing virtual IP {vip} failed: {e.Message}";
            }
        }
        if (dns.Count > 0)
        {
            string? where = null;
            try
            {
                where = context.VirtualIpHost?.AddDns(dns);
                if (where is not null) sa.OwnDns.AddRange(dns);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                context.Log.Warn(sa, $"handing DNS server(s) {string.Join(", ", dns)} to the resolver failed: {e.Message}");
            }
            context.Log.Info(sa, $"peer assigned DNS server(s) {string.Join(", ", dns)}{(where is null ? " (not applied to the host's resolver)" : $", installed {where}")}");
        }
        return null;
    }
}

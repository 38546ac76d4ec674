using System.Net;
using System.Net.Sockets;
using Petrel.Ike.Sa;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.ModeConfig;

/// <summary>
/// Mode Config as client (`vips = 0.0.0.0`, draft-dukes-ike-mode-cfg §3.3): after Main Mode (and XAuth) we send
/// CFG_REQUEST(INTERNAL_IP4_ADDRESS, INTERNAL_IP4_DNS) and take the CFG_REPLY (pull, `pull = yes`), or wait for the
/// server's CFG_SET and answer CFG_ACK (`pull = no`). The address becomes our virtual IP: installed on the TUN device
/// and Quick Mode's local selector, as with IKEv2. No address fails the SA, as strongSwan's client does.
/// </summary>
internal sealed class ModeConfigClient(TransactionExchange t)
{
    public static bool Wants(IkeSa sa) => sa.Config.Vips.Count > 0 && sa.OwnVips.Count == 0;

    public void AfterAuthentication(IkeSa sa)
    {
        if (!sa.Config.ModeConfigPull)
        {
            t.E.Log.Info(sa, "waiting for the server to push a virtual IP (pull = no)");
            return;
        }
        var attributes = new List<SaAttribute>();
        foreach (var vip in sa.Config.Vips)
        {
            bool v4 = vip.AddressFamily == AddressFamily.InterNetwork;
            byte[] value = ModeConfigServer.IsAny(vip) ? [] : v4 ? vip.GetAddressBytes() : [.. vip.GetAddressBytes(), 128];
            attributes.Add(new SaAttribute(v4 ? CfgAttribute.InternalIp4Address : CfgAttribute.InternalIp6Address, value, false));
            attributes.Add(new SaAttribute(v4 ? CfgAttribute.InternalIp4Dns : CfgAttribute.InternalIp6Dns, [], false));
        }
        t.E.Log.Info(sa, $"requesting virtual IP(s) {string.Join(", ", sa.Config.Vips)} with Mode Config");
        t.SendRequest(sa, new CfgPayload(CfgType.Request, t.NewIdentifier(), attributes), XAuth.TransactionKind.ModeConfigRequest);
    }

    public void OnReply(IkeSa sa, CfgPayload cfg)
    {
        if (cfg.Type != CfgType.Reply)
        {
            t.Fail(sa, $"Mode Config: the peer answered our request with {CfgNames.Type(cfg.Type)}", sendDelete: true);
            return;
        }
        Take(sa, cfg);
    }

    public void OnSet(IkeSa sa, uint messageId, CfgPayload cfg)
    {
        if (sa.Config.Vips.Count == 0)
        {
            t.E.Log.Info(sa, "the peer pushes Mode Config attributes, but no vips are configured; acknowledging none");
            t.SendAnswer(sa, messageId, new CfgPayload(CfgType.Ack, cfg.Identifier, []));
            return;
        }
        t.SendAnswer(sa, messageId, new CfgPayload(CfgType.Ack, cfg.Identifier, cfg.Attributes.Select(a => new SaAttribute(a.Type, [], false)).ToList()));
        if (sa.OwnVips.Count == 0) Take(sa, cfg);
    }

    private void Take(IkeSa sa, CfgPayload cfg)
    {
        var dns = new List<IPAddress>();
        foreach (var a in cfg.Attributes)
        {
            switch (a.Type)
            {
                case CfgAttribute.InternalIp4Address or CfgAttribute.InternalIp6Address:
                    var family = a.Type == CfgAttribute.InternalIp4Address ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                    if (ModeConfigServer.ReadAddress(a.Data, family) is not { } ip || ModeConfigServer.IsAny(ip)) continue;
                    if (!sa.Config.Vips.Any(v => v.AddressFamily == family) || sa.OwnVips.Exists(v => v.AddressFamily == family)) continue;
                    sa.OwnVips.Add(ip);
                    break;
                case CfgAttribute.InternalIp4Dns or CfgAttribute.InternalIp6Dns:
                    var dnsFamily = a.Type == CfgAttribute.InternalIp4Dns ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                    if (ModeConfigServer.ReadAddress(a.Data, dnsFamily) is { } d) dns.Add(d);
                    break;
            }
        }
        if (sa.OwnVips.Count == 0)
        {
            t.Fail(sa, $"virtual IP requested (vips = {string.Join(", ", sa.Config.Vips)}), but the peer assigned none", sendDelete: true);
            return;
        }
        foreach (var vip in sa.OwnVips)
        {
            try
            {
                t.E.VirtualIpHost?.Add(vip);
                t.E.Log.Info(sa, $"installing virtual IP {vip}");
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                t.Fail(sa, $"installing virtual IP {vip} failed: {e.Message}", sendDelete: true);
                return;
            }
        }
        if (dns.Count > 0)
            t.E.Log.Info(sa, $"peer assigned DNS server(s) {string.Join(", ", dns)} (not applied to the host's resolver)");
        t.Complete(sa);
    }
}

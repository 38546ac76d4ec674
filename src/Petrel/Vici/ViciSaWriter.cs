using Petrel.Ike.Engine;

namespace Petrel.Vici;

/// <summary>
/// An IKE SA as charon's list-sa event and ike-updown event describe it (vici README, "list-sa"): one
/// section named after the connection, its CHILD_SAs in child-sas, each named NAME-UNIQUEID. Flags such as
/// initiator, nat-local and encap are present only when set, because swanctl tests for their presence.
/// </summary>
public static class ViciSaWriter
{
    public static void Write(ViciWriter w, IkeSaInfo sa, bool children, IReadOnlyList<ChildSaInfo>? only = null)
    {
        w.BeginSection(sa.Name);
        WriteFields(w, sa);
        if (children)
        {
            w.BeginSection("child-sas");
            foreach (var c in only ?? sa.Children)
            {
                w.BeginSection($"{c.Name}-{c.UniqueId}");
                WriteChild(w, c);
                w.EndSection();
            }
            w.EndSection();
        }
        w.EndSection();
    }

    public static void WriteFields(ViciWriter w, IkeSaInfo sa)
    {
        w.Add("uniqueid", sa.UniqueId)
            .Add("version", sa.Version)
            .Add("state", sa.State)
            .Add("local-host", sa.LocalHost);
        if (sa.LocalPort > 0) w.Add("local-port", sa.LocalPort);
        w.Add("local-id", sa.LocalId)
            .Add("remote-host", sa.RemoteHost);
        if (sa.RemotePort > 0) w.Add("remote-port", sa.RemotePort);
        w.Add("remote-id", sa.RemoteId);
        // charon's list-sas names the client's EAP identity remote-eap-id (we are the EAP server).
        if (!sa.Initiator && sa.EapIdentity.Length > 0 && sa.EapIdentity != sa.RemoteId) w.Add("remote-eap-id", sa.EapIdentity);
        if (!sa.XAuthLocal && sa.XAuthIdentity.Length > 0) w.Add("remote-xauth-id", sa.XAuthIdentity);
        if (sa.Initiator) w.Add("initiator", "yes");
        w.Add("initiator-spi", sa.InitiatorSpi).Add("responder-spi", sa.ResponderSpi);
        if (sa.NatLocal) w.Add("nat-local", "yes");
        if (sa.NatRemote) w.Add("nat-remote", "yes");
        if (sa.NatLocal || sa.NatRemote) w.Add("nat-any", "yes");
        if (sa.Encr.Length > 0)
        {
            w.Add("encr-alg", sa.Encr);
            if (sa.Integ.Length > 0) w.Add("integ-alg", sa.Integ);
            w.Add("prf-alg", sa.Prf).Add("dh-group", sa.Dh);
        }
        if (sa.State == "ESTABLISHED")
        {
            w.Add("established", sa.EstablishedSeconds);
            if (sa.RekeySeconds is { } rekey) w.Add("rekey-time", rekey);
            if (sa.ReauthSeconds is { } reauth) w.Add("reauth-time", reauth);
            if (sa.ExpireSeconds is { } life) w.Add("life-time", life);
        }
    }

    public static void WriteChild(ViciWriter w, ChildSaInfo c)
    {
        w.Add("name", c.Name)
            .Add("uniqueid", c.UniqueId)
            .Add("reqid", c.ReqId)
            .Add("state", c.State)
            .Add("mode", c.Mode)
            .Add("protocol", c.Protocol);
        if (c.Encap) w.Add("encap", "yes");
        w.Add("spi-in", c.SpiIn).Add("spi-out", c.SpiOut);
        if (c.Encr.Length > 0) w.Add("encr-alg", c.Encr);
        if (c.Integ.Length > 0) w.Add("integ-alg", c.Integ);
        if (c.Dh.Length > 0 && c.Dh != "KE_NONE") w.Add("dh-group", c.Dh);
        w.Add("bytes-in", (long)c.BytesIn)
            .Add("packets-in", (long)c.PacketsIn)
            .Add("bytes-out", (long)c.BytesOut)
            .Add("packets-out", (long)c.PacketsOut);
        if (c.RekeySeconds is { } rekey) w.Add("rekey-time", rekey);
        if (c.ExpireSeconds is { } life) w.Add("life-time", life);
        w.Add("install-time", c.InstallSeconds)
            .List("local-ts", c.LocalTs)
            .List("remote-ts", c.RemoteTs);
    }
}

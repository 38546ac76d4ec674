using System.Net;
using System.Net.Sockets;
using Petrel.DataPlane.Policy;
using Petrel.Ike.Config;
using Petrel.Ike.Engine;

namespace Petrel.Daemon;

/// <summary>
/// The environment of one updown call, as charon's updown plugin (strongSwan 5.9) builds it: PLUTO_VERB
/// (up-client, down-host-v6 …), the connection, request id, IKE SA unique id, both hosts and identities, one
/// local and one remote traffic selector as subnet, port and protocol, virtual IPs, the peer's EAP/XAuth identity,
/// UDP encapsulation, DNS servers, if_ids and hostaccess. One call per local × remote traffic selector pair.
/// </summary>
public static class UpdownEnvironment
{
    /// <summary>Everything the calls of one CHILD_SA need, captured while it is installed (its down reuses it).</summary>
    public sealed record Snapshot(IkeSaInfo Sa, ChildSaInfo Child, ChildConfig Config, string Interface);

    /// <summary>One environment per local × remote traffic selector pair, local ones outer (charon's policy order).</summary>
    public static List<List<KeyValuePair<string, string>>> For(Snapshot s, bool up, string path)
    {
        var calls = new List<List<KeyValuePair<string, string>>>();
        foreach (var localText in s.Child.LocalTs)
            foreach (var remoteText in s.Child.RemoteTs)
            {
                var local = TrafficSelector.Parse(localText);
                var remote = TrafficSelector.Parse(remoteText);
                if (local.Family != remote.Family) continue;
                calls.Add(Once(s, up, local, remote, path));
            }
        return calls;
    }

    private static List<KeyValuePair<string, string>> Once(Snapshot s, bool up, TrafficSelector local, TrafficSelector remote, string path)
    {
        var env = new List<KeyValuePair<string, string>>();
        void Add(string key, string value) => env.Add(new(key, value));
        var sa = s.Sa;
        var child = s.Child;
        var me = IPAddress.TryParse(sa.LocalHost, out var m) ? m : null;
        // "-host" when the local selector is exactly our IKE address (host-to-host or the gateway's own address).
        bool isHost = me is not null && local.Start.Equals(me) && local.End.Equals(me);
        bool v6 = isHost ? me!.AddressFamily == AddressFamily.InterNetworkV6 : local.Family == AddressFamily.InterNetworkV6;

        Add("PATH", path);
        Add("PLUTO_VERSION", "1.1");
        Add("PLUTO_VERB", (up ? "up" : "down") + (isHost ? "-host" : "-client") + (v6 ? "-v6" : ""));
        Add("PLUTO_CONNECTION", child.Name); // charon names the CHILD_SA's config here, not the connection
        Add("PLUTO_INTERFACE", s.Interface);
        Add("PLUTO_REQID", child.ReqId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("PLUTO_PROTO", child.Protocol.Equals("AH", StringComparison.OrdinalIgnoreCase) ? "ah" : "esp");
        Add("PLUTO_UNIQUEID", sa.UniqueId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("PLUTO_ME", sa.LocalHost);
        Add("PLUTO_MY_ID", sa.LocalId);
        var (myNet, myMask) = Subnet(local);
        Add("PLUTO_MY_CLIENT", $"{myNet}/{myMask}");
        Add("PLUTO_MY_CLIENT_NET", myNet.ToString());
        Add("PLUTO_MY_CLIENT_MASK", MaskText(myNet.AddressFamily, myMask));
        Add("PLUTO_MY_PORT", Port(local));
        Add("PLUTO_MY_PROTOCOL", local.Protocol.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add("PLUTO_PEER", sa.RemoteHost);
        Add("PLUTO_PEER_ID", sa.RemoteId);
        var (peerNet, peerMask) = Subnet(remote);
        Add("PLUTO_PEER_CLIENT", $"{peerNet}/{peerMask}");
        Add("PLUTO_PEER_CLIENT_NET", peerNet.ToString());
        Add("PLUTO_PEER_CLIENT_MASK", MaskText(peerNet.AddressFamily, peerMask));
        Add("PLUTO_PEER_PORT", Port(remote));
        Add("PLUTO_PEER_PROTOCOL", remote.Protocol.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // The peer's EAP or XAuth identity, when the peer authenticated that way (we are the EAP server / XAuth gateway).
        var peerEap = sa.AuthRounds.FirstOrDefault(r => !r.Local && r.EapIdentity.Length > 0)?.EapIdentity;
        if (peerEap is not null)
            Add("PLUTO_XAUTH_ID", peerEap);
        Vips(env, "MY", sa.LocalVips);
        Vips(env, "PEER", sa.RemoteVips);
        if (s.Config.InterfaceIdIn != 0)
            Add("PLUTO_IF_ID_IN", s.Config.InterfaceIdIn.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (s.Config.InterfaceIdOut != 0)
            Add("PLUTO_IF_ID_OUT", s.Config.InterfaceIdOut.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (sa.NatLocal || sa.NatRemote)
            Add("PLUTO_UDP_ENC", sa.RemotePort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        int dns4 = 0, dns6 = 0;
        foreach (var d in sa.Dns)
        {
            if (!IPAddress.TryParse(d, out var a)) continue;
            if (a.AddressFamily == AddressFamily.InterNetwork) Add($"PLUTO_DNS4_{++dns4}", d);
            else Add($"PLUTO_DNS6_{++dns6}", d);
        }
        if (s.Config.HostAccess)
            Add("PLUTO_HOST_ACCESS", "1");
        return env;
    }

    /// <summary>PLUTO_MY_SOURCEIP (the first) and PLUTO_MY_SOURCEIP4_N / 6_N, as charon names them.</summary>
    private static void Vips(List<KeyValuePair<string, string>> env, string side, IReadOnlyList<string> vips)
    {
        int v4 = 0, v6 = 0;
        foreach (var text in vips)
        {
            if (!IPAddress.TryParse(text, out var a)) continue;
            if (v4 + v6 == 0) env.Add(new($"PLUTO_{side}_SOURCEIP", text));
            env.Add(a.AddressFamily == AddressFamily.InterNetwork
                ? new($"PLUTO_{side}_SOURCEIP4_{++v4}", text)
                : new($"PLUTO_{side}_SOURCEIP6_{++v6}", text));
        }
    }

    /// <summary>The smallest subnet holding the selector's range (charon approximates a range the same way).</summary>
    public static (IPAddress Network, int Prefix) Subnet(TrafficSelector ts)
    {
        byte[] a = ts.Start.GetAddressBytes(), b = ts.End.GetAddressBytes();
        int prefix = 0;
        while (prefix < a.Length * 8)
        {
            int i = prefix / 8, bit = 7 - prefix % 8;
            if (((a[i] >> bit) & 1) != ((b[i] >> bit) & 1)) break;
            prefix++;
        }
        for (int p = prefix; p < a.Length * 8; p++)
            a[p / 8] &= (byte)~(1 << (7 - p % 8));
        return (new IPAddress(a), prefix);
    }

    private static string MaskText(AddressFamily family, int prefix)
    {
        var bytes = new byte[family == AddressFamily.InterNetwork ? 4 : 16];
        for (int p = 0; p < prefix; p++)
            bytes[p / 8] |= (byte)(1 << (7 - p % 8));
        return new IPAddress(bytes).ToString();
    }

    /// <summary>One port, "from:to" for a range; 0 for any port (charon's get_port).</summary>
    private static string Port(TrafficSelector ts) =>
        ts.StartPort == ts.EndPort || (ts.StartPort == 0 && ts.EndPort == 65535)
            ? ts.StartPort.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : $"{ts.StartPort}:{ts.EndPort}";
}

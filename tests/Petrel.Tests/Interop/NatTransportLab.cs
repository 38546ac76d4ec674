using System.Text;
using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>
/// The class fixture of <see cref="NatTransportTests"/>: three namespaces, the pair's left one
/// turned into a masquerading router between a client namespace and the right site:
/// <code>
///  PREFIX-c eth0 10.9.0.2/24 ── lan1 10.9.0.1/24 PREFIX-l (router, nft masquerade out of eth0)
///                                                eth0 198.18.0.1/24 ═══ eth0 198.18.0.2/24 PREFIX-r
/// </code>
/// The right site has no route to 10.9.0.0/24, so everything from the client reaches it as
/// 198.18.0.1. One Petrel daemon in the client (initiator) and one in the right site (responder,
/// remote_addrs = %any), connection "nt" with an ESP transport-mode child "ntc" between the hosts
/// themselves (dynamic selectors), encap = no: IKE's NAT detection moves it into UDP 4500.
/// </summary>
public sealed class NatTransportLab : IDisposable
{
    public const string ClientAddress = "10.9.0.2";
    public const string RouterInside = "10.9.0.1";
    public const string Psk = "petrel-nat-transport-psk-0123456789";

    private readonly object _gate = new();
    private NamespacePair? _lab;
    private LabSite? _client;
    private PetrelPeer? _clientPetrel;
    private PetrelPeer? _serverPetrel;

    public NamespacePair Lab { get { Start(); return _lab!; } }
    public LabSite Client { get { Start(); return _client!; } }
    public PetrelPeer ClientPetrel { get { Start(); return _clientPetrel!; } }
    public PetrelPeer ServerPetrel { get { Start(); return _serverPetrel!; } }

    /// <summary>The right site's host, addressed on its outer address (transport mode protects the hosts themselves).</summary>
    public LabSite Server => Lab.Right with { LanV4 = Lab.Right.OuterV4 };

    private void Start()
    {
        lock (_gate)
        {
            if (_serverPetrel is not null)
                return;
            _lab ??= NamespacePair.Create("nt");
            var lab = _lab;
            if (_client is null)
            {
                var ns = lab.Prefix + "-c";
                var work = Path.Combine(lab.WorkDir, "client");
                Directory.CreateDirectory(work);
                _client = new LabSite("client", ns, ClientAddress, "", ClientAddress, "", ClientAddress + "/32", "", work);
                BuildClient(lab, _client);
            }
            _serverPetrel ??= PetrelPeer.Start(lab, lab.Right, Config(lab.Right.OuterV4, "%any", "server", "client"));
            _clientPetrel ??= PetrelPeer.Start(lab, _client, Config(ClientAddress, lab.Right.OuterV4, "client", "server"));
        }
    }

    private static void BuildClient(NamespacePair lab, LabSite client)
    {
        var router = lab.Left.Namespace;
        Run("ip", "netns", "del", client.Namespace);          // a leftover from a crashed run with this PID
        Run("ip", "netns", "add", client.Namespace).EnsureSuccess();
        Run("ip", "-n", router, "link", "add", "lan1", "type", "veth", "peer", "name", "eth0", "netns", client.Namespace).EnsureSuccess();
        Run("ip", "-n", router, "addr", "add", RouterInside + "/24", "dev", "lan1").EnsureSuccess();
        Run("ip", "-n", router, "link", "set", "lan1", "up").EnsureSuccess();
        Run("ip", "-n", client.Namespace, "link", "set", "lo", "up").EnsureSuccess();
        Run("ip", "-n", client.Namespace, "addr", "add", ClientAddress + "/24", "dev", "eth0").EnsureSuccess();
        Run("ip", "-n", client.Namespace, "link", "set", "eth0", "up").EnsureSuccess();
        Run("ip", "-n", client.Namespace, "route", "add", "default", "via", RouterInside).EnsureSuccess();
        lab.Exec(lab.Left, "sysctl", "-qw", "net.ipv4.ip_forward=1").EnsureSuccess();
        var script = Path.Combine(lab.Left.WorkDir, "masquerade.nft");
        File.WriteAllText(script, """
            table ip nattnat {
              chain post { type nat hook postrouting priority srcnat; oifname "eth0" ip saddr 10.9.0.0/24 masquerade; }
            }

            """);
        lab.Exec(lab.Left, "nft", "-f", script).EnsureSuccess();
        // Through the NAT before any IPsec exists.
        lab.Exec(client, "ping", "-c1", "-W2", lab.Right.OuterV4).EnsureSuccess();
    }

    private static CommandResult Run(params string[] argv) => CommandRunner.Run(argv, TimeSpan.FromSeconds(20));

    private static string Config(string local, string remote, string localId, string remoteId)
    {
        var sb = new StringBuilder("connections {\n  nt {\n");
        sb.AppendLine($"    version = 2\n    local_addrs = {local}\n    remote_addrs = {remote}\n    encap = no");
        sb.AppendLine("    proposals = aes128gcm16-prfsha256-ecp256\n    dpd_delay = 0");
        sb.AppendLine($"    local {{\n      auth = psk\n      id = {localId}\n    }}");
        sb.AppendLine($"    remote {{\n      auth = psk\n      id = {remoteId}\n    }}");
        sb.AppendLine("    children {\n      ntc {\n        mode = transport\n        local_ts = dynamic\n        remote_ts = dynamic");
        sb.AppendLine("        esp_proposals = aes128gcm16\n        start_action = none\n      }\n    }\n  }\n}");
        sb.AppendLine($"secrets {{\n  ike-nt {{\n    id-1 = client\n    id-2 = server\n    secret = \"{Psk}\"\n  }}\n}}");
        return sb.ToString();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            // The pair stops every process it started (both daemons) before the namespaces go.
            _lab?.Dispose();
            if (_client is not null)
                Run("ip", "netns", "del", _client.Namespace);
            _lab = null;
            _client = null;
        }
    }
}

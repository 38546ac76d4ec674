using System.Text;
using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>
/// The class fixture of <see cref="AhNatTests"/>: one namespace pair, the left site also owning
/// 198.18.0.3 (the "public" address its NAT translates to), and one Petrel daemon per side with
/// two AH tunnel connections: "an1" (encap = no) and "an2" (encap = yes).
/// </summary>
public sealed class AhNatLab : LabFixture
{
    public const string NatAddress = "198.18.0.3";
    private PetrelPeer? _left;
    private PetrelPeer? _right;

    protected override string Tag => "an";

    public PetrelPeer Left { get { Start(); return _left!; } }
    public PetrelPeer Right { get { Start(); return _right!; } }

    private void Start()
    {
        if (_left is not null && _right is not null) return;
        var lab = Lab;
        if (_left is null)
            lab.Exec(lab.Left, "ip", "addr", "add", NatAddress + "/32", "dev", "eth0").EnsureSuccess();
        _right ??= PetrelPeer.Start(lab, lab.Right, Config(lab.Right, lab.Left, responder: true));
        _left ??= PetrelPeer.Start(lab, lab.Left, Config(lab.Left, lab.Right, responder: false));
    }

    /// <summary>
    /// Replaces the left site's nftables ruleset (table ip petrelnat) with rules, given as an
    /// nft script body. Every variant starts by not tracking anything it does not NAT itself, so
    /// a connection-tracking entry left by another test cannot translate this one's IKE.
    /// </summary>
    public void SetLeftRules(string chains)
    {
        var lab = Lab;
        lab.Exec(lab.Left, "nft", "delete", "table", "ip", "petrelnat");
        var script = Path.Combine(lab.Left.WorkDir, "petrelnat.nft");
        File.WriteAllText(script, "table ip petrelnat {\n" + chains + "\n}\n");
        lab.Exec(lab.Left, "nft", "-f", script).EnsureSuccess();
    }

    public void ClearLeftRules()
    {
        var lab = Lab;
        lab.Exec(lab.Left, "nft", "delete", "table", "ip", "petrelnat");
    }

    public static string Identity(string connection, LabSite site) => $"{site.Name}-{connection}";

    /// <summary>The responder (right) accepts the left site from any address: behind the NAT it arrives from <see cref="NatAddress"/>.</summary>
    private static string Config(LabSite local, LabSite remote, bool responder)
    {
        var sb = new StringBuilder("connections {\n");
        foreach (var (name, encap) in new[] { ("an1", "no"), ("an2", "yes") })
        {
            sb.AppendLine($"  {name} {{");
            sb.AppendLine($"    version = 2\n    local_addrs = {local.OuterV4}\n    remote_addrs = {(responder ? "%any" : remote.OuterV4)}\n    encap = {encap}");
            sb.AppendLine("    proposals = aes128gcm16-prfsha256-ecp256\n    dpd_delay = 0");
            sb.AppendLine($"    local {{\n      auth = psk\n      id = {Identity(name, local)}\n    }}");
            sb.AppendLine($"    remote {{\n      auth = psk\n      id = {Identity(name, remote)}\n    }}");
            sb.AppendLine($"    children {{\n      {name}c {{\n        mode = tunnel\n        local_ts = {local.SubnetV4}\n        remote_ts = {remote.SubnetV4}");
            sb.AppendLine("        ah_proposals = sha256\n        start_action = none\n      }\n    }\n  }");
        }
        sb.AppendLine("}\nsecrets {");
        foreach (var name in new[] { "an1", "an2" })
            sb.AppendLine($"  ike-{name} {{\n    id-1 = {Identity(name, local)}\n    id-2 = {Identity(name, remote)}\n    secret = \"petrel-ah-nat-psk-0123456789\"\n  }}");
        sb.AppendLine("}");
        return sb.ToString();
    }
}

using System.Text;
using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>
/// swanctl.conf for the data plane namespace tests: connection "lab" (AES-GCM-16 ESP-in-UDP) with
/// a broad protect child "net" (the whole other /16 and /64), a narrower protect child "web"
/// (x.x.7.0/24, its own SA pair), and on the left a pass child "bypass" (x.x.99.0/24) and a drop
/// child "block" (x.x.66.0/24), plus a petrel { } section. Route-based instead, the only child
/// is "vti": 0.0.0.0/0 ⇄ 0.0.0.0/0 with if_id_in = if_id_out = 1 (Petrel's vti00, no routes).
/// </summary>
public static class DataPlaneLabConfig
{
    public const string Connection = "lab";

    public const uint InterfaceId = 1;

    public static string For(LabSite local, LabSite remote, bool left, string petrel, bool routeBased = false)
    {
        string mine = left ? "10.1.0.0/24" : "10.2.0.0/16";
        string theirs = left ? "10.2.0.0/16" : "10.1.0.0/24";
        string web = "10.2.7.0/24";
        var sb = new StringBuilder();
        sb.AppendLine("connections {");
        sb.AppendLine($"  {Connection} {{");
        sb.AppendLine("    version = 2");
        sb.AppendLine($"    local_addrs = {local.OuterV4}");
        sb.AppendLine($"    remote_addrs = {remote.OuterV4}");
        sb.AppendLine("    encap = yes");
        sb.AppendLine("    proposals = aes128gcm16-prfsha256-ecp256");
        sb.AppendLine("    dpd_delay = 0");
        sb.AppendLine($"    local {{\n      auth = psk\n      id = {local.Id}\n    }}");
        sb.AppendLine($"    remote {{\n      auth = psk\n      id = {remote.Id}\n    }}");
        sb.AppendLine("    children {");
        if (routeBased)
        {
            sb.AppendLine("      vti {");
            sb.AppendLine("        local_ts = 0.0.0.0/0");
            sb.AppendLine("        remote_ts = 0.0.0.0/0");
            sb.AppendLine("        esp_proposals = aes128gcm16");
            sb.AppendLine($"        if_id_in = {InterfaceId}");
            sb.AppendLine($"        if_id_out = {InterfaceId}");
            sb.AppendLine("      }");
        }
        else
        {
            AppendPolicyChildren(sb, local, remote, left, mine, theirs, web);
        }
        sb.AppendLine("    }");
        sb.AppendLine("  }");
        sb.AppendLine("}");
        sb.AppendLine("secrets {");
        sb.AppendLine($"  ike-lab {{\n    id-1 = left\n    id-2 = right\n    secret = \"{LabConfig.Psk}\"\n  }}");
        sb.AppendLine("}");
        sb.AppendLine($"petrel {{\n  {petrel}\n}}");
        return sb.ToString();
    }

    private static void AppendPolicyChildren(StringBuilder sb, LabSite local, LabSite remote, bool left, string mine, string theirs, string web)
    {
        Child(sb, "net", $"{mine},{local.SubnetV6}", $"{theirs},{remote.SubnetV6}", "tunnel");
        Child(sb, "web", left ? mine : web, left ? web : theirs, "tunnel");
        if (left)
        {
            Child(sb, "bypass", mine, "10.2.99.0/24", "pass");
            Child(sb, "block", mine, "10.2.66.0/24", "drop");
        }
    }

    private static void Child(StringBuilder sb, string name, string localTs, string remoteTs, string mode)
    {
        sb.AppendLine($"      {name} {{");
        sb.AppendLine($"        mode = {mode}");
        sb.AppendLine($"        local_ts = {localTs}");
        sb.AppendLine($"        remote_ts = {remoteTs}");
        if (mode == "tunnel")
            sb.AppendLine("        esp_proposals = aes128gcm16");
        else
            sb.AppendLine("        start_action = trap");
        sb.AppendLine("      }");
    }
}

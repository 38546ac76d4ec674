using System.Text;
using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>The namespace pair of <see cref="IkeV1InteropTests"/>, and the IKEv1 swanctl.conf both peers load.</summary>
public sealed class IkeV1InteropLab : LabFixture
{
    protected override string Tag => "v1";

    /// <summary>
    /// connection "lab", `version = 1`, PSK ids left/right, child "net" with the IPv4 subnets (a Quick Mode carries
    /// one selector pair). strongSwan gets encap = yes as kernel-libipsec needs; Petrel sees it through NAT-D.
    /// </summary>
    public static string Config(LabSite local, LabSite remote, string ike, string esp, bool strongSwan, string extra = "", string childExtra = "")
    {
        var sb = new StringBuilder();
        sb.AppendLine("connections {");
        sb.AppendLine("  lab {");
        sb.AppendLine("    version = 1");
        sb.AppendLine($"    local_addrs = {local.OuterV4}");
        sb.AppendLine($"    remote_addrs = {remote.OuterV4}");
        if (strongSwan) sb.AppendLine("    encap = yes");
        sb.AppendLine($"    proposals = {ike}");
        sb.AppendLine(extra.Length > 0 ? extra : "    dpd_delay = 0");
        sb.AppendLine("    local {");
        sb.AppendLine("      auth = psk");
        sb.AppendLine($"      id = {local.Id}");
        sb.AppendLine("    }");
        sb.AppendLine("    remote {");
        sb.AppendLine("      auth = psk");
        sb.AppendLine($"      id = {remote.Id}");
        sb.AppendLine("    }");
        sb.AppendLine("    children {");
        sb.AppendLine("      net {");
        sb.AppendLine("        mode = tunnel");
        sb.AppendLine($"        local_ts = {local.SubnetV4}");
        sb.AppendLine($"        remote_ts = {remote.SubnetV4}");
        sb.AppendLine($"        esp_proposals = {esp}");
        sb.AppendLine("        start_action = none");
        if (childExtra.Length > 0) sb.AppendLine(childExtra);
        sb.AppendLine("      }");
        sb.AppendLine("    }");
        sb.AppendLine("  }");
        sb.AppendLine("}");
        sb.AppendLine("secrets {");
        sb.AppendLine("  ike-lab {");
        sb.AppendLine("    id-1 = left");
        sb.AppendLine("    id-2 = right");
        sb.AppendLine($"    secret = \"{LabConfig.Psk}\"");
        sb.AppendLine("  }");
        sb.AppendLine("}");
        return sb.ToString();
    }
}

/// <summary>The namespace pair of <see cref="IkeV1LifecycleInteropTests"/> (its own, so both classes run side by side).</summary>
public sealed class IkeV1LifecycleLab : LabFixture
{
    protected override string Tag => "vl";
}

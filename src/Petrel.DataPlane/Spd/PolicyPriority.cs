using System.Net.Sockets;
using Petrel.DataPlane.Kernel;

namespace Petrel.DataPlane.Spd;

/// <summary>
/// The order strongSwan's kernel interface gives policies when none is configured
/// (kernel-netlink's get_priority): bypass and discard policies (swanctl's mode = pass / drop)
/// come before protect policies, and within each class the more specific selector pair comes
/// first: longer source plus destination prefixes, then a port restriction, then a protocol.
/// Lower values are looked up first.
/// </summary>
internal static class PolicyPriority
{
    private const long ClassStep = 1L << 20;

    public static long Compute(PolicyAction action, in SelectorRange local, in SelectorRange remote)
    {
        long priority = action == PolicyAction.Protect ? 2 * ClassStep : ClassStep;
        priority -= PrefixLength(local) + PrefixLength(remote);
        priority <<= 2;
        if (local.StartPort == 0 && local.EndPort == 65535 && remote.StartPort == 0 && remote.EndPort == 65535)
            priority += 2;
        if (local.Protocol == 0 && remote.Protocol == 0)
            priority += 1;
        return priority;
    }

    /// <summary>The prefix length of the smallest CIDR block covering the range (exact for CIDR selectors).</summary>
    internal static int PrefixLength(in SelectorRange range)
    {
        int bits = range.Family == AddressFamily.InterNetwork ? 32 : 128;
        UInt128 span = range.Start ^ range.End;
        int varying = span == UInt128.Zero ? 0 : 128 - (int)UInt128.LeadingZeroCount(span);
        return Math.Max(0, bits - varying);
    }
}

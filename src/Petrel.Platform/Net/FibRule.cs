using System.Globalization;
using System.Net.Sockets;

namespace Petrel.Platform.Net;

/// <summary>
/// A policy routing rule as `ip rule` writes it: `[not] fwmark MARK lookup TABLE pref PRIORITY`
/// for one family. <see cref="Invert"/> is `not` (FIB_RULE_INVERT): the rule matches packets
/// without the mark.
/// </summary>
internal sealed record FibRule(AddressFamily Family, uint FirewallMark, bool Invert, int Table, int Priority)
{
    /// <summary>`ip` arguments for the verb, e.g. "-4 rule add not fwmark 0x5045 lookup 20549 pref 210".</summary>
    public string Command(string verb) => string.Create(CultureInfo.InvariantCulture,
        $"{(Family == AddressFamily.InterNetworkV6 ? "-6" : "-4")} rule {verb} {(Invert ? "not " : "")}fwmark 0x{FirewallMark:x} lookup {Table} pref {Priority}");
}

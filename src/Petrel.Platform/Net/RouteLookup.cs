using System.Net;

namespace Petrel.Platform.Net;

/// <summary>
/// The kernel's answer to `ip route get ADDRESS`: the device (RTA_OIF, by name and index), the
/// next hop when it is not on-link (RTA_GATEWAY) and the source it would pick (RTA_PREFSRC).
/// </summary>
internal sealed record RouteLookup(string Device, int DeviceIndex, IPAddress? Gateway, IPAddress? PreferredSource);

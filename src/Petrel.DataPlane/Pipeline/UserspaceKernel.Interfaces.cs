using Petrel.DataPlane.Kernel;

namespace Petrel.DataPlane.Pipeline;

/// <summary>
/// Route-based VPNs: virtual tunnel interfaces besides the shared device, each with an interface
/// id like Linux XFRM interfaces (strongSwan's if_id_in / if_id_out). Packets read from one are
/// looked up only against the policies with that id (typically one 0.0.0.0/0 ⇄ 0.0.0.0/0
/// CHILD_SA), and packets decrypted by such a policy's SA are written to the interface of its
/// if_id_in. Which traffic enters the interface is the routing table's business.
/// </summary>
public sealed partial class UserspaceKernel
{
    private volatile Dictionary<uint, ITunnelDevice> _interfaces = [];
    private readonly Lock _interfaceLock = new();

    /// <summary>Adds (or replaces) the virtual tunnel interface for interfaceId (not 0, the shared device's).</summary>
    public void AddInterface(uint interfaceId, ITunnelDevice device)
    {
        ArgumentOutOfRangeException.ThrowIfZero(interfaceId);
        ArgumentNullException.ThrowIfNull(device);
        lock (_interfaceLock)
            _interfaces = new Dictionary<uint, ITunnelDevice>(_interfaces) { [interfaceId] = device };
    }

    /// <summary>Where a packet decrypted under policy goes; an id without an interface falls back to the shared device.</summary>
    private ITunnelDevice TunnelFor(PolicySpec policy) =>
        policy.InterfaceIdIn != 0 && _interfaces.TryGetValue(policy.InterfaceIdIn, out var device) ? device : _tunnel;
}

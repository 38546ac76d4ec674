using System.Net;
using Petrel.Ike.Pools;

namespace Petrel.Ike.Sa;

internal sealed partial class IkeSa
{
    /// <summary>Responder: the virtual IPs handed to the peer (RFC 7296 §3.15), released when this SA is destroyed.</summary>
    public List<PoolAssignment> PeerVips { get; } = [];

    /// <summary>Whom the peer's virtual IPs belong to (pools re-use a lease per identity): its EAP identity, else its IKE identity.</summary>
    public string VipIdentity() => EapIdentity ?? RemoteId?.ToString() ?? Remote.Address.ToString();

    /// <summary>Initiator: the virtual IPs the peer assigned to us (installed on the TUN device, our inner address).</summary>
    public List<IPAddress> OwnVips { get; } = [];

    /// <summary>DNS servers assigned to us with the virtual IP and handed to the host's resolver (removed with the SA).</summary>
    public List<IPAddress> OwnDns { get; } = [];
}

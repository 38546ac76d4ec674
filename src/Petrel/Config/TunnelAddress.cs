using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Petrel.Config;

/// <summary>
/// One address of a route-based interface (petrel { interfaces { NAME { local = …  peer = … } } }): the
/// local address and, for a point-to-point link, the peer's address with its prefix, as
/// `ip address add LOCAL peer PEER/LEN` writes it; without a peer, LOCAL/LEN.
/// </summary>
public sealed record TunnelAddress(IPAddress Local, int PrefixLength, IPAddress? Peer)
{
    public AddressFamily Family => Local.AddressFamily;

    /// <summary>The arguments iproute2 takes for it (between "address add" and "dev").</summary>
    public IReadOnlyList<string> IpArguments =>
        Peer is null ? [Prefixed(Local)] : [Local.ToString(), "peer", Prefixed(Peer)];

    private string Prefixed(IPAddress a) => a + "/" + PrefixLength.ToString(CultureInfo.InvariantCulture);

    public override string ToString() => string.Join(' ', IpArguments);
}

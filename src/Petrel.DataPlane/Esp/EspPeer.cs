using System.Net;

namespace Petrel.DataPlane.Esp;

/// <summary>
/// The outer path of an SA: our address, the peer's, and whether ESP rides in UDP (RFC 3948).
/// <see cref="TransportState"/> lets the outer transport cache what it needs per SA (for
/// example a ready-made socket address) so sending allocates nothing.
/// </summary>
public sealed class EspPeer(IPEndPoint local, IPEndPoint remote, bool udpEncapsulation)
{
    public IPEndPoint Local { get; } = local;
    public IPEndPoint Remote { get; } = remote;
    public bool UdpEncapsulation { get; } = udpEncapsulation;

    /// <summary>Owned by the <see cref="Pipeline.IOuterTransport"/>; opaque to the data plane.</summary>
    public object? TransportState { get; set; }
}

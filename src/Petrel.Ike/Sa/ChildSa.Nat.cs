using System.Net;

namespace Petrel.Ike.Sa;

/// <summary>Transport mode across a NAT (RFC 7296 §2.23.1): the addresses the peer's host uses, learned from the traffic selectors.</summary>
internal sealed partial class ChildSa
{
    /// <summary>The peer host's own address (before a NAT in front of it); null when the exchange did not tell.</summary>
    public IPAddress? PeerOriginalAddress { get; set; }

    /// <summary>Our address as the peer's host addresses it (after a NAT in front of us); null when the exchange did not tell.</summary>
    public IPAddress? LocalAddressAsPeerSees { get; set; }
}

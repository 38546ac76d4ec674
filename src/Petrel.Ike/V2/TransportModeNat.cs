using System.Net;
using Petrel.DataPlane.Policy;

namespace Petrel.Ike.V2;

/// <summary>
/// Traffic selectors of a transport-mode CHILD_SA across a NAT (RFC 7296 §2.23.1). Each host
/// proposes the addresses it knows: its own (private) one and the peer's as it reaches it. A
/// receiver whose IKE SA detected a NAT on one side replaces that side's single-host selector
/// with the address the IKE SA actually uses for it (what its own host's sockets see), narrows
/// and answers with the replaced selectors, as strongSwan does. The replaced address is kept:
/// it is what the peer's host computed its TCP/UDP checksums over, which the data plane needs
/// to fix them (RFC 3948 §3.1.2; IKEv2 has no NAT-OA payload).
/// </summary>
internal static class TransportModeNat
{
    /// <summary>
    /// The received selectors with a single host replaced by ikeAddress when nat is set. original
    /// is the peer's view of that side: without a NAT the IKE address itself, behind one the host
    /// as received (null when the list is not one host).
    /// </summary>
    public static IReadOnlyList<TrafficSelector> Substitute(IReadOnlyList<TrafficSelector> received, bool nat, IPAddress ikeAddress, out IPAddress? original)
    {
        original = nat ? null : ikeAddress;
        if (!nat || received.Count != 1 || !received[0].Start.Equals(received[0].End) || received[0].Family != ikeAddress.AddressFamily)
            return received;
        original = received[0].Start;
        if (original.Equals(ikeAddress))
            return received;
        return [received[0] with { Start = ikeAddress, End = ikeAddress }];
    }

    /// <summary>
    /// Initiator: what a substituted answer tells about a NATed side. When the responder replaced
    /// our view with its own (the answer differs from what the IKE SA uses for that side), the
    /// answer is the host's view; an unchanged answer behind a NAT tells nothing (null).
    /// </summary>
    public static IPAddress? Learned(IPAddress? answered, bool nat, IPAddress ikeAddress)
    {
        if (answered is null)
            return null;
        if (!nat)
            return ikeAddress;
        return answered.Equals(ikeAddress) ? null : answered;
    }
}

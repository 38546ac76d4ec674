using System.Net;
using Petrel.Crypto.Primitives;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2;

/// <summary>NAT_DETECTION_SOURCE_IP / NAT_DETECTION_DESTINATION_IP in IKE_SA_INIT (RFC 7296 §2.23).</summary>
internal static class NatDetectionNotifies
{
    /// <summary>
    /// Adds both notifies. With fake set the source hash is random, so the peer sees us "behind a NAT" and
    /// both ends use UDP encapsulation (strongSwan's encap = yes does exactly this).
    /// </summary>
    public static void Add(IkeMessage m, IPEndPoint local, IPEndPoint remote, bool fake, IRandom random)
    {
        var source = new byte[NatDetection.HashLength];
        if (fake) random.Fill(source);
        else NatDetection.ComputeHash(m.InitiatorSpi, m.ResponderSpi, local, source);
        m.Payloads.Add(new NotifyPayload(NotifyType.NatDetectionSourceIp, source));
        m.Payloads.Add(new NotifyPayload(NotifyType.NatDetectionDestinationIp, NatDetection.ComputeHash(m.InitiatorSpi, m.ResponderSpi, remote)));
    }

    /// <summary>
    /// Evaluates the peer's notifies against the addresses the datagram really had. Returns false when the
    /// peer sent none (no NAT-T support: nothing can be concluded).
    /// </summary>
    public static bool Evaluate(IkeMessage m, IPEndPoint local, IPEndPoint remote, out bool natHere, out bool natThere)
    {
        natHere = natThere = false;
        bool anySource = false, sourceMatch = false, anyDest = false, destMatch = false;
        foreach (var n in m.GetAll<NotifyPayload>())
        {
            if (n.NotifyType == NotifyType.NatDetectionSourceIp)
            {
                anySource = true;
                // The hash covers the SPIs in the header of the message that carries it.
                sourceMatch |= NatDetection.Matches(n.Data.Span, m.InitiatorSpi, m.ResponderSpi, remote);
            }
            else if (n.NotifyType == NotifyType.NatDetectionDestinationIp)
            {
                anyDest = true;
                destMatch |= NatDetection.Matches(n.Data.Span, m.InitiatorSpi, m.ResponderSpi, local);
            }
        }
        if (!anySource || !anyDest) return false;
        natThere = !sourceMatch;
        natHere = !destMatch;
        return true;
    }
}

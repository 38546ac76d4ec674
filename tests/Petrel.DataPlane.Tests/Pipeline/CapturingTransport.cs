using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Pipeline;

namespace Petrel.DataPlane.Tests.Pipeline;

/// <summary>
/// In-memory outer network: records every ESP packet sent and, when linked, delivers it to the peer
/// kernel (on the sending thread, so several packet threads deliver concurrently).
/// </summary>
internal sealed class CapturingTransport : IOuterTransport
{
    public List<(EspPeer Peer, byte[] Packet)> Sent { get; } = [];
    public List<DropReason> DeliveryResults { get; } = [];
    public UserspaceKernel? DeliverTo { get; set; }
    public bool Fail { get; set; }

    public bool SendEsp(EspPeer peer, ReadOnlySpan<byte> espPacket)
    {
        if (Fail)
            return false;
        var copy = espPacket.ToArray();
        lock (Sent)
            Sent.Add((peer, copy));
        if (DeliverTo is not null)
        {
            var result = DeliverTo.ProcessInbound(copy.AsSpan());
            lock (DeliveryResults)
                DeliveryResults.Add(result);
        }
        return true;
    }

    /// <summary>Whole IP packets (AH) sent; delivered to the peer kernel's AH input when linked.</summary>
    public List<byte[]> SentIp { get; } = [];

    public bool SendIp(EspPeer peer, ReadOnlySpan<byte> ipPacket)
    {
        if (Fail)
            return false;
        var copy = ipPacket.ToArray();
        SentIp.Add(copy);
        if (DeliverTo is not null)
        {
            var buffer = new byte[copy.Length + 4];   // room for the ESN high bits
            copy.CopyTo(buffer, 0);
            DeliveryResults.Add(DeliverTo.ProcessInboundAh(buffer, 0, copy.Length));
        }
        return true;
    }
}

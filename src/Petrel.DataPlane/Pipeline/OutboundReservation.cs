using Petrel.DataPlane.Esp;

namespace Petrel.DataPlane.Pipeline;

/// <summary>
/// Sequence numbers FirstSequence..FirstSequence+Count-1 of one outbound ESP SA, claimed for the
/// segments of one super-segment (<see cref="UserspaceKernel.TryReserveOutbound"/>). Holds the SA
/// itself, so a rekey that installs a newer SA meanwhile does not split the batch; an SA removed
/// meanwhile makes the remaining segments drop as <see cref="DropReason.SaRemoved"/>.
/// </summary>
public readonly struct OutboundReservation
{
    internal OutboundReservation(EspSa sa, ulong first, int count, uint interfaceId, byte nextHeader)
    {
        Sa = sa;
        FirstSequence = first;
        Count = count;
        InterfaceId = interfaceId;
        NextHeader = nextHeader;
    }

    internal EspSa? Sa { get; }

    public ulong FirstSequence { get; }

    public int Count { get; }

    /// <summary>The interface the packet came from (where a too-big error goes back).</summary>
    public uint InterfaceId { get; }

    internal byte NextHeader { get; }

    /// <summary>The SA's SPI (for logs and tests).</summary>
    public uint Spi => Sa?.Spi ?? 0;
}

using Petrel.DataPlane.Esp;

namespace Petrel.DataPlane.Pipeline;

/// <summary>
/// An ESP packet opened by <see cref="UserspaceKernel.OpenInboundDeferred"/> whose replay-window
/// update and counting wait for <see cref="UserspaceKernel.CommitInbound"/>, which the caller
/// makes in arrival order once every packet of the batch is open.
/// </summary>
public readonly struct InboundTicket
{
    internal InboundTicket(DropReason result, EspSa? authenticated, ulong sequence, DropReason opened, int countedLength, ITunnelDevice? device)
    {
        Result = result;
        Authenticated = authenticated;
        Sequence = sequence;
        Opened = opened;
        CountedLength = countedLength;
        Device = device;
    }

    /// <summary>What the packet comes to unless the window turns out to have seen it.</summary>
    public DropReason Result { get; }

    /// <summary>Set when the ICV verified: the window must move for it (RFC 4303 §3.4.3).</summary>
    internal EspSa? Authenticated { get; }

    internal ulong Sequence { get; }

    /// <summary>What the ESP open itself returned (None, Dummy, BadPadding once authenticated).</summary>
    internal DropReason Opened { get; }

    internal int CountedLength { get; }

    /// <summary>A route-based interface to write the inner packet to at commit, instead of the caller's device.</summary>
    internal ITunnelDevice? Device { get; }
}

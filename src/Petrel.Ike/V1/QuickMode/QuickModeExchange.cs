using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Config;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;

namespace Petrel.Ike.V1.QuickMode;

/// <summary>One Quick Mode exchange in flight (RFC 2409 §5.5): its message ID, nonces, PFS state and the CHILD_SA it makes.</summary>
internal sealed class QuickModeExchange
{
    public required uint MessageId { get; init; }
    public required bool Initiator { get; init; }
    public required ChildConfig Config { get; set; }
    public required ChildSa Child { get; set; }
    public InitiateCompletion? Completion { get; init; }
    /// <summary>A rekey: the CHILD_SA this one replaces (deleted once the new one is up).</summary>
    public ChildSa? Replaces { get; init; }
    public byte[] Ni { get; set; } = [];
    public byte[] Nr { get; set; } = [];
    public ushort PfsGroup { get; set; }
    public KeyExchangeState? Ke { get; set; }
    public byte[] PfsSecret { get; set; } = [];
    public Proposal? Proposal { get; set; }
    public ushort EncapsulationMode { get; set; }
    /// <summary>Life Duration (seconds) as negotiated, 0 when none was sent.</summary>
    public ulong LifeSeconds { get; set; }
    public ulong LifeKilobytes { get; set; }
}

/// <summary>A Quick Mode rekey we started: when Due comes, the new SA's outbound half is installed and the old SA deleted.</summary>
internal sealed record Switchover(TimeSpan Due, ChildSa New, ChildSa Old);

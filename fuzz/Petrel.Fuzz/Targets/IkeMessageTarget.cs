using Petrel.Ike.Wire;

namespace Petrel.Fuzz.Targets;

/// <summary>
/// A datagram on UDP 500 (non-ESP marker already removed): IKEv2 header and payload decoding without keys,
/// then what the engine does with a decoded message before any state is touched (the log summary,
/// identities, traffic selectors).
/// </summary>
public sealed class IkeMessageTarget : IFuzzTarget
{
    public string Name => "ike";

    public void Run(ReadOnlySpan<byte> data)
    {
        var status = IkeMessage.TryDecode(data, null, out var message, out _);
        if (status != IkeDecodeStatus.Success || message is null)
            return;
        PayloadWalk.Visit(message);
    }
}

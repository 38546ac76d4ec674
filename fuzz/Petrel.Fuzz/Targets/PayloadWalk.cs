using Petrel.Ike.Wire;

namespace Petrel.Fuzz.Targets;

/// <summary>Touches what the engine reads from decoded IKEv2 payloads: summaries, identities as text, selectors.</summary>
internal static class PayloadWalk
{
    public static void Visit(IkeMessage message)
    {
        _ = MessageSummary.Describe(message);
        foreach (var payload in message.Payloads)
        {
            _ = MessageSummary.PayloadName(payload);
            switch (payload)
            {
                case IdentificationPayload id:
                    var identity = id.Identity;
                    _ = identity.ToString();
                    _ = identity.Matches(identity);
                    break;
                case TrafficSelectorPayload ts:
                    foreach (var selector in ts.Selectors)
                        _ = selector.ToString();
                    break;
            }
        }
    }
}

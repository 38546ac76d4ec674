using Petrel.Ike.V1.Keying;
using Petrel.Ike.V1.QuickMode;
using Petrel.Ike.V1.Wire;

namespace Petrel.Fuzz.Targets;

/// <summary>
/// An IKEv1/ISAKMP datagram: header and payload chain, then the payload bodies Main Mode and Quick Mode read
/// (SA proposals with their attributes, as Phase 1 suites and Quick Mode proposals, lifetimes, IDs, notifies, deletes).
/// </summary>
public sealed class IkeV1Target : IFuzzTarget
{
    public string Name => "ikev1";

    public void Run(ReadOnlySpan<byte> data)
    {
        if (!IsakmpMessage.TryDecode(data, null, out var message, out _))
            return;
        foreach (var payload in message.Payloads)
        {
            _ = payload.ToString();
            switch (payload.Type)
            {
                case IsakmpPayloadType.SecurityAssociation:
                    if (!SaPayload.TryDecode(payload.Body, out var proposals, out _))
                        break;
                    foreach (var proposal in proposals)
                    foreach (var transform in proposal.Transforms)
                    {
                        if (proposal.Protocol == 1)
                        {
                            _ = Phase1Suite.FromTransform(transform, out _);
                        }
                        else
                        {
                            _ = QuickModeProposals.ToProposal(transform, out _, out _, out _);
                            QuickModeProposals.Lifetimes(transform, out _, out _);
                        }
                    }
                    break;
                case IsakmpPayloadType.Identification:
                    if (IdPayload.TryDecode(payload.Body, out var id) && id is not null)
                    {
                        _ = id.ToIdentity()?.ToString();
                        _ = id.ToSelector()?.ToString();
                    }
                    break;
                case IsakmpPayloadType.Notification:
                    if (V1Notify.TryDecode(payload.Body, out var notify) && notify is not null)
                        _ = NotifyPayloadName(notify);
                    break;
                case IsakmpPayloadType.Delete:
                    _ = V1Delete.TryDecode(payload.Body, out _);
                    break;
            }
        }
    }

    private static string NotifyPayloadName(V1Notify notify) => V1Notify.Name(notify.Type);
}

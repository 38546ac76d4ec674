using Petrel.Crypto.Proposals;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.Informational;

/// <summary>
/// INFORMATIONAL as responder (RFC 7296 §1.4): Delete payloads for CHILD_SAs (answered with a Delete of
/// our inbound SPIs of the same CHILD_SAs, §1.4.1) or for the IKE SA (answered empty, then the SA and its
/// children go), notifies (errors logged, status ignored) and empty liveness checks (answered empty).
/// </summary>
internal sealed class InformationalResponder(IIkeContext context)
{
    /// <summary>Returns true when the IKE SA must be destroyed once the response is sent.</summary>
    public bool Handle(IkeSa sa, IkeMessage request, IkeMessage response)
    {
        bool destroy = false;
        foreach (var p in request.Payloads)
        {
            switch (p)
            {
                case DeletePayload { Protocol: SecurityProtocol.Ike }:
                    context.Log.Info(sa, $"received DELETE for IKE_SA {sa.Tag}");
                    if (sa.Successor is null && sa.PeerReplacement is { State: IkeSaState.Established } theirs)
                    {
                        // §2.8.1: a rekey collision whose outcome the peer decided before our own rekey's answer came (or that
                        // answer was lost): its new IKE SA replaces this one, and the CHILD_SAs move there instead of dying.
                        context.Log.Info(sa, $"IKE_SA rekey collision: the peer deletes {sa.Tag}, its {theirs.Tag} takes over");
                        context.Sas.MoveToSuccessor(sa, theirs);
                    }
                    // close_action applies once it is destroyed, unless it was already replaced by a rekeyed IKE SA.
                    sa.ClosedByPeer = sa.State != IkeSaState.Rekeyed && sa.Successor is null;
                    sa.MoveTo(IkeSaState.Deleting);
                    destroy = true;
                    break;
                case DeletePayload d:
                    var ours = new List<uint>();
                    foreach (uint spi in d.Spis)
                    {
                        var child = sa.Children.Find(c => c.SpiOut == spi && c.Protocol == d.Protocol);
                        if (child is null)
                        {
                            context.Log.Debug(sa, $"received DELETE for unknown {d.Protocol} CHILD_SA with SPI {spi:x8}");
                            continue;
                        }
                        context.Log.Info(sa, $"received DELETE for {d.Protocol} CHILD_SA {child.Config.Name}{{{child.UniqueId}}} with SPI {spi:x8}");
                        // A rekeyed SA being deleted by the peer, or a simultaneous delete: either way answer with ours.
                        ours.Add(child.SpiIn);
                        var wasState = child.State;
                        context.Children.Remove(sa, child);
                        context.Sas.ChildClosedByPeer(sa, child.Config, wasState);
                    }
                    if (ours.Count > 0)
                        response.Payloads.Add(new DeletePayload(d.Protocol, ours));
                    break;
                case NotifyPayload n when n.IsError:
                    context.Log.Warn(sa, $"peer notified {NotifyNames.Of(n.NotifyType)}");
                    if (n.NotifyType == NotifyType.AuthenticationFailed) destroy = true;
                    break;
            }
        }
        // §1.4.1: the IKE SA delete response is empty.
        if (destroy) response.Payloads.Clear();
        return destroy;
    }
}

using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Proposals;
using Petrel.DataPlane.Kernel;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.CreateChildSa;

/// <summary>
/// CHILD_SA rekey as initiator (RFC 7296 §1.3.3, §2.8): CREATE_CHILD_SA with N(REKEY_SA) naming the old
/// inbound SPI, SA, Ni, [KEi] for PFS, and the old SA's traffic selectors. Make before break: the new
/// inbound and outbound SAs are installed when the response arrives (the responder installed its inbound
/// SA before answering), the old SA stays until its delete completes. Collisions (§2.8.1) are resolved
/// with the nonces of both exchanges; TEMPORARY_FAILURE (§2.25) schedules a retry.
/// </summary>
internal sealed class ChildRekeyTask(IIkeContext context, ChildSa old) : IkeTask
{
    private readonly ChildSaInitiatorKeys _keys = new(context);
    private ChildSa? _new;

    public override ExchangeType Exchange => _keys.InFollowUp ? ExchangeType.IkeFollowupKe : ExchangeType.CreateChildSa;

    public ChildSa Old => old;

    public override bool IsObsolete(IkeSa sa) =>
        !sa.Children.Contains(old) || old.State is not (ChildSaState.Installed or ChildSaState.Rekeying) || old.PeerReplacement is not null;

    public override TaskJob? Prepare(IkeSa sa) => _keys.Prepare(_keys.Group != 0 ? _keys.Group : ChildSaNegotiation.PfsGroup(old.Config));

    public override void BuildRequest(IkeSa sa, IkeMessage request)
    {
        if (_keys.InFollowUp)
        {
            _keys.AddFollowUp(request); // RFC 9370 §2.2.4
            return;
        }
        if (_new is null)
        {
            _new = context.Children.Create(sa, old.Config, old.ReqId);
            _new.LocalTs = old.LocalTs;
            _new.RemoteTs = old.RemoteTs;
            _new.Mode = old.Mode;
            _new.Protocol = old.Protocol;
            _new.Replaces = old;
        }
        old.MoveTo(ChildSaState.Rekeying);
        if (_keys.Group == 0) _keys.Group = ChildSaNegotiation.PfsGroup(old.Config);
        var spi = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(spi, old.SpiIn);
        // §1.3.3: REKEY_SA carries the protocol and the SPI of the SA being replaced (our inbound one).
        request.Payloads.Add(new NotifyPayload(NotifyType.RekeySa, default, (byte)old.Protocol, spi));
        context.Children.AddRequest(sa, _new, request, withKeyExchange: _keys.WithKeyExchange);
        _keys.AddTo(request);
        context.Counters.ChildRekeysInitiated++;
    }

    public override TaskOutcome ProcessResponse(IkeSa sa, IkeMessage response)
    {
        if (_keys.FollowUp is null && _keys.RetryWithPeersGroup(sa, response, "the CHILD_SA rekey"))
        {
            context.Counters.ChildRekeysInitiated--;
            return TaskOutcome.Retry;
        }
        if (_keys.FollowUp is null && response.GetNotify(NotifyType.TemporaryFailure) is not null)
        {
            var delay = context.Scheduler.RetryDelay();
            context.Log.Info(sa, $"peer answered TEMPORARY_FAILURE to the rekey of CHILD_SA {old.Config.Name}{{{old.UniqueId}}}, retrying in {delay.TotalSeconds:0.#} s");
            Release(sa);
            if (old.State == ChildSaState.Rekeying && old.PeerReplacement is null) old.MoveTo(ChildSaState.Installed);
            old.RekeyAt = context.Clock.Now + delay;
            return TaskOutcome.Done;
        }

        if (_keys.OffloadSecret(response) is { } job) return Offload(job, () => ProcessResponse(sa, response));
        if (_keys.Next(response, $"CHILD_SA {old.Config.Name} rekey", out var answer, out var shared, out var additional, out var nr, out var error)) return TaskOutcome.Retry;
        error ??= context.Children.CompleteAsInitiator(sa, _new!, answer, shared, _keys.Ni, nr, withKeyExchange: _keys.WithKeyExchange, additional);
        CryptographicOperations.ZeroMemory(shared);
        CryptographicOperations.ZeroMemory(additional);
        _keys.Dispose();
        if (error is not null)
        {
            context.Log.Warn(sa, error);
            Release(sa);
            if (sa.Children.Contains(old) && old.State == ChildSaState.Rekeying && old.PeerReplacement is null)
            {
                // The SA keeps working until its hard lifetime; try again a little later (strongSwan does the same).
                old.MoveTo(ChildSaState.Installed);
                old.RekeyAt = context.Clock.Now + context.Scheduler.RetryDelay();
            }
            return TaskOutcome.Done;
        }

        var created = _new!;
        old.RekeyTask = null;
        if (!sa.Children.Contains(old))
        {
            // The peer deleted the old SA while we rekeyed it: the new one simply stays.
            context.Log.Info(sa, $"CHILD_SA {old.Config.Name}{{{old.UniqueId}}} was deleted meanwhile; {{{created.UniqueId}}} stays");
            return TaskOutcome.Done;
        }
        if (old.PeerReplacement is { } theirs && sa.Children.Contains(theirs))
        {
            // §2.8.1: both ends rekeyed this SA; the exchange with the lowest nonce made the redundant SA.
            if (RekeyCollision.WeLose(_keys.Ni, nr, old.PeerNi, old.PeerNr))
            {
                context.Log.Info(sa, $"CHILD_SA rekey collision lost, deleting redundant CHILD_SA {created.Config.Name}{{{created.UniqueId}}}; the peer's {{{theirs.UniqueId}}} replaces {{{old.UniqueId}}}");
                created.MoveTo(ChildSaState.Rekeyed);
                created.Replaces = null;
                created.RekeyAt = created.ExpireAt = LifetimeSchedule.Never;
                old.MoveTo(ChildSaState.Rekeyed);
                sa.Tasks.Enqueue(InformationalTask.DeleteChildren(context, [created], null));
                return TaskOutcome.Done;
            }
            context.Log.Info(sa, $"CHILD_SA rekey collision won, the peer deletes its redundant CHILD_SA {theirs.Config.Name}{{{theirs.UniqueId}}}");
            // The peer's SA never carries our traffic: its held-back outbound SA is dropped with it.
            theirs.Replaces = null;
            theirs.MoveTo(ChildSaState.Rekeyed);
            theirs.RekeyAt = theirs.ExpireAt = LifetimeSchedule.Never;
        }
        old.OurReplacement = created;
        old.MoveTo(ChildSaState.Rekeyed);
        old.RekeyAt = old.ExpireAt = LifetimeSchedule.Never;
        context.Log.Info(sa, $"CHILD_SA {old.Config.Name}{{{old.UniqueId}}} rekeyed as {{{created.UniqueId}}} with SPIs {created.SpiIn:x8}_i {created.SpiOut:x8}_o");
        sa.Tasks.Enqueue(InformationalTask.DeleteChildren(context, [old], null));
        return TaskOutcome.Done;
    }

    public override void Abort(IkeSa sa, string reason)
    {
        _keys.Dispose();
        Release(sa);
        if (ReferenceEquals(old.RekeyTask, this)) old.RekeyTask = null;
        if (old.State == ChildSaState.Rekeying && old.PeerReplacement is null) old.MoveTo(ChildSaState.Installed);
    }

    /// <summary>Gives the inbound SPI we allocated for the replacement back when it was never installed.</summary>
    private void Release(IkeSa sa)
    {
        if (ReferenceEquals(old.RekeyTask, this)) old.RekeyTask = null;
        if (_new is { Installed: false })
        {
            context.Kernel.RemoveSa(_new.SpiIn, SaDirection.Inbound);
            _new.ZeroKeys();
        }
    }
}

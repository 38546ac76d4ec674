using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Keying;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.CreateChildSa;

/// <summary>
/// IKE SA rekey as initiator (RFC 7296 §1.3.2): CREATE_CHILD_SA with SA (IKE proposals carrying the new
/// initiator SPI), Ni, KEi. The new SA's keys come from SK_d of the old one (§2.18); its message IDs
/// start at 0; the CHILD_SAs move over and the old SA is deleted. Simultaneous rekeys are resolved by
/// nonces (§2.8.1); TEMPORARY_FAILURE (§2.25) schedules a retry.
/// </summary>
internal sealed class IkeRekeyTask(IIkeContext context) : IkeTask
{
    private IkeSa? _new;
    private byte[] _ni = [];
    private ushort _group;
    private KeyExchangeState? _ke;
    private int _retries;
    // RFC 9370 §2.2.4: the additional key exchanges of the chosen proposal, run in IKE_FOLLOWUP_KE before the new SA is keyed.
    private FollowUpKeyExchanges? _followUp;
    private Proposal? _chosen;
    private IkeCipherSuite? _suite;
    private byte[] _nr = [];

    public override ExchangeType Exchange => _followUp is { Pending: true } ? ExchangeType.IkeFollowupKe : ExchangeType.CreateChildSa;

    public override bool IsObsolete(IkeSa sa) => sa.State != IkeSaState.Established || sa.Successor is not null || sa.PeerReplacement is not null;

    private readonly OffloadedKeyExchange _work = new("IKE_SA rekey");

    public override TaskJob? Prepare(IkeSa sa) =>
        _followUp is { Pending: true } ? null : _work.PrepareKeyPair(_group != 0 ? _group : sa.KeGroup != 0 ? sa.KeGroup : FirstGroup(sa), context.Random);

    public override void BuildRequest(IkeSa sa, IkeMessage request)
    {
        if (_followUp is { Pending: true } f)
        {
            var next = KeyExchanges.Find(f.Next.Id) ?? throw new IkeSetupException($"key exchange {f.Next.Id} is not available for the IKE_SA rekey");
            _ke?.Dispose();
            _ke = next.Create(context.Random);
            request.Payloads.Add(new KeyExchangePayload(f.Next.Id, _ke.PublicKey));
            request.Payloads.Add(new NotifyPayload(NotifyType.AdditionalKeyExchange, f.Link));
            return;
        }
        _new ??= context.Sas.CreateSa(sa.Config, initiator: true, sa.Local, sa.Remote);
        sa.MoveTo(IkeSaState.Rekeying);
        if (_group == 0) _group = sa.KeGroup != 0 ? sa.KeGroup : FirstGroup(sa);
        var method = KeyExchanges.Find(_group) ?? throw new IkeSetupException($"key exchange {_group} is not available for the IKE_SA rekey");
        _ke?.Dispose();
        _ke = _work.TakeKeyPair(_group) ?? method.Create(context.Random);
        _ni = context.RandomBytes(IkeEngine.NonceLength);
        var spi = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(spi, _new.SpiI);
        var proposals = new List<Proposal>(sa.Config.Proposals.Count);
        for (int i = 0; i < sa.Config.Proposals.Count; i++)
            proposals.Add(sa.Config.Proposals[i] with { Number = (byte)(i + 1), Spi = spi });
        // §1.3.2: SA, Ni, KEi; the proposals carry the new SPI (§3.3.1, eight octets).
        request.Payloads.Add(new SecurityAssociationPayload(proposals));
        request.Payloads.Add(new NoncePayload(_ni));
        request.Payloads.Add(new KeyExchangePayload(_group, _ke.PublicKey));
        context.Counters.IkeRekeysInitiated++;
    }

    public override TaskOutcome ProcessResponse(IkeSa sa, IkeMessage response)
    {
        if (_followUp is { Pending: true } f)
            return ProcessFollowUp(sa, response, f);
        var invalidKe = response.GetNotify(NotifyType.InvalidKePayload);
        if (invalidKe is not null && invalidKe.TryGetGroup(out ushort group) && ++_retries <= 3 && KeyExchanges.Find(group) is not null)
        {
            context.Log.Info(sa, $"peer wants {AlgorithmCatalog.Describe(new Transform(TransformType.KeyExchange, group))} for the IKE_SA rekey, retrying");
            _group = group;
            context.Counters.IkeRekeysInitiated--;
            return TaskOutcome.Retry;
        }
        string? error = null;
        foreach (var n in response.GetAll<NotifyPayload>())
            if (n.IsError) { error = $"peer answered {NotifyNames.Of(n.NotifyType)}"; break; }
        var saPayload = response.Get<SecurityAssociationPayload>();
        var nonce = response.Get<NoncePayload>();
        var ke = response.Get<KeyExchangePayload>();
        Proposal? chosen = null;
        if (error is null)
        {
            if (saPayload is null || saPayload.Proposals.Count != 1 || nonce is null || !nonce.HasValidLength || ke is null)
                error = "response lacks SA (one proposal), Nr or KEr";
            else if ((chosen = saPayload.Proposals[0]).Spi.Length != 8 || chosen.Protocol != SecurityProtocol.Ike)
                error = "response's proposal is not an IKE proposal with an 8-octet SPI";
            else if (ProposalSelector.Select(sa.Config.Proposals, [chosen]) is null)
                error = $"peer chose {ProposalText.Describe(chosen)}, which we did not propose";
            else if (ke.Group != _group)
                error = $"peer's KE is for group {ke.Group}, we sent {_group}";
        }
        IkeCipherSuite? suite = null;
        if (error is null && !IkeCipherSuite.TryCreate(chosen!, out suite, out string e2)) error = e2;
        // The secret on a crypto worker; the response is processed again when it is there.
        if (error is null && !_work.HasSecret(response) && _ke is { } pair)
        {
            _ke = null;
            return Offload(_work.ComputeSecret(pair, ke!.Data, response), () => ProcessResponse(sa, response));
        }
        byte[] shared = [];
        if (error is null)
        {
            try { shared = _work.HasSecret(response) ? _work.TakeSecret() : _ke!.ComputeSharedSecret(ke!.Data.Span); }
            catch (CryptographicException e) { error = $"invalid KE value: {e.Message}"; }
        }
        _ke?.Dispose();
        _ke = null;
        var additional = chosen is null ? [] : AdditionalKeyExchanges.Of(chosen);
        if (error is null && additional.Count > 0)
        {
            var link = response.GetNotify(NotifyType.AdditionalKeyExchange);
            if (link is not { Data.Length: > 0 })
                error = "response selects additional key exchanges but lacks the ADDITIONAL_KEY_EXCHANGE notify";
            else if (additional.FirstOrDefault(t => KeyExchanges.Find(t.Id) is null) is { Id: > 0 } missing)
                error = $"additional key exchange {AlgorithmCatalog.Describe(missing)} is not available";
            else
            {
                // RFC 9370 §2.2.4: SK(0) is kept; the IKE_FOLLOWUP_KE exchanges add the others, then the new SA is keyed.
                _followUp = new FollowUpKeyExchanges(additional, shared, link.Data.ToArray());
                _chosen = chosen;
                _suite = suite;
                _nr = nonce!.Data.ToArray();
                return TaskOutcome.Retry;
            }
        }
        if (error is not null)
            return Failed(sa, error);
        return Complete(sa, chosen!, suite!, shared, [], nonce!.Data.ToArray());
    }

    private TaskOutcome ProcessFollowUp(IkeSa sa, IkeMessage response, FollowUpKeyExchanges f)
    {
        string? error = null;
        foreach (var n in response.GetAll<NotifyPayload>())
            if (n.IsError) { error = $"peer answered IKE_FOLLOWUP_KE with {NotifyNames.Of(n.NotifyType)}"; break; }
        var ke = response.Get<KeyExchangePayload>();
        if (error is null && (ke is null || ke.Group != f.Next.Id))
            error = $"IKE_FOLLOWUP_KE response lacks KE for {AlgorithmCatalog.Describe(f.Next)}";
        if (error is null)
        {
            try { f.Add(_ke!.ComputeSharedSecret(ke!.Data.Span)); }
            catch (CryptographicException e) { error = $"invalid {AlgorithmCatalog.Describe(f.Next)} KE value: {e.Message}"; }
        }
        _ke?.Dispose();
        _ke = null;
        if (error is null && f.Pending)
        {
            if (response.GetNotify(NotifyType.AdditionalKeyExchange) is not { Data.Length: > 0 } link)
                error = "IKE_FOLLOWUP_KE response lacks the ADDITIONAL_KEY_EXCHANGE notify for the next exchange";
            else
            {
                f.Link = link.Data.ToArray();
                return TaskOutcome.Retry;
            }
        }
        if (error is not null)
        {
            // The responder dropped its new SA with the error; ours was never keyed.
            _followUp = null;
            f.Dispose();
            return Failed(sa, error);
        }
        var first = f.First();
        var additional = f.Additional();
        _followUp = null;
        f.Dispose();
        return Complete(sa, _chosen!, _suite!, first, additional, _nr);
    }

    private TaskOutcome Failed(IkeSa sa, string error)
    {
        var delay = context.Scheduler.RetryDelay();
        context.Log.Info(sa, $"IKE_SA rekey failed: {error}; retrying in {delay.TotalSeconds:0.#} s");
        Reset(sa);
        if (sa.State == IkeSaState.Established && sa.PeerReplacement is null) sa.RekeyAt = context.Clock.Now + delay;
        return TaskOutcome.Done;
    }

    /// <summary>SKEYSEED = prf(SK_d (old), SK(0) | Ni | Nr | SK(1) | … | SK(n)) (§2.18, RFC 9370 §2.2.4), then the new SA takes over.</summary>
    private TaskOutcome Complete(IkeSa sa, Proposal chosen, IkeCipherSuite suite, byte[] shared, byte[] additional, byte[] nr)
    {
        var n2 = _new!;
        n2.SpiR = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(chosen.Spi.Span);
        try
        {
            n2.SetKeys(suite!.DeriveRekeyedKeys(sa.Suite!.Prf, sa.Keys!.SkD, shared, _ni, nr, n2.SpiI, n2.SpiR, additional));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(additional);
        }
        IkeRekeyResponder.InheritFrom(context, n2, sa, chosen, suite, _group, _ni, nr);
        sa.RekeyTask = null;

        if (sa.PeerReplacement is { } theirs && theirs.State == IkeSaState.Established)
        {
            // §2.8.1: both ends rekeyed the IKE SA; the exchange with the lowest nonce made the redundant one.
            if (RekeyCollision.WeLose(_ni, nr, sa.PeerNi, sa.PeerNr))
            {
                context.Log.Info(sa, $"IKE_SA rekey collision lost, deleting redundant IKE_SA {n2.Tag}; {theirs.Tag} replaces {sa.Tag}");
                context.Sas.MoveToSuccessor(sa, theirs);
                sa.MoveTo(IkeSaState.Rekeyed);
                n2.MoveTo(IkeSaState.Rekeyed);
                n2.RekeyAt = n2.ReauthAt = n2.ExpireAt = LifetimeSchedule.Never;
                context.Scheduler.Queue(n2, InformationalTask.DeleteIkeSa(context, null));
                context.Scheduler.PumpSa(theirs);
                return TaskOutcome.Done;
            }
            context.Log.Info(sa, $"IKE_SA rekey collision won, the peer deletes its redundant IKE_SA {theirs.Tag}");
            theirs.MoveTo(IkeSaState.Rekeyed);
            theirs.RekeyAt = theirs.ReauthAt = theirs.ExpireAt = LifetimeSchedule.Never;
        }
        context.Sas.MoveToSuccessor(sa, n2);
        context.Sas.RetireRekeyed(sa);
        context.Scheduler.PumpSa(n2);
        return TaskOutcome.Done;
    }

    public override void Abort(IkeSa sa, string reason)
    {
        _ke?.Dispose();
        _ke = null;
        _work.Dispose();
        _followUp?.Dispose();
        _followUp = null;
        Reset(sa);
    }

    private void Reset(IkeSa sa)
    {
        if (ReferenceEquals(sa.RekeyTask, this)) sa.RekeyTask = null;
        if (sa.State == IkeSaState.Rekeying) sa.MoveTo(IkeSaState.Established);
    }

    private static ushort FirstGroup(IkeSa sa)
    {
        foreach (var p in sa.Config.Proposals)
            if (ProposalText.First(p, TransformType.KeyExchange) is { Id: > 0 } t) return t.Id;
        return 0;
    }
}

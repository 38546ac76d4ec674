using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Config;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.CreateChildSa;

/// <summary>
/// CREATE_CHILD_SA for an additional CHILD_SA as initiator (RFC 7296 §1.3.1): SA, Ni, [KE] for PFS,
/// TSi, TSr. INVALID_KE_PAYLOAD makes it retry with the group the responder asks for.
/// Rekeying (§1.3.3, REKEY_SA) will reuse this task with the CHILD_SA being replaced.
/// </summary>
internal sealed class CreateChildSaTask(IIkeContext context, ChildConfig config, InitiateCompletion? completion) : IkeTask
{
    private readonly ChildSaInitiatorKeys _keys = new(context);
    private ChildSa? _child;

    public override ExchangeType Exchange => _keys.InFollowUp ? ExchangeType.IkeFollowupKe : ExchangeType.CreateChildSa;

    /// <summary>The hard-expired CHILD_SA this task creates again; the task is dropped if the peer re-created it first.</summary>
    public ChildSa? Recreates { get; init; }

    public override bool IsObsolete(IkeSa sa) =>
        Recreates is { } expired && _child is null && sa.Children.Exists(x => !ReferenceEquals(x, expired) && x.Config.Name == config.Name
            && x.State is ChildSaState.Installed or ChildSaState.Rekeying);

    public override TaskJob? Prepare(IkeSa sa) => _keys.Prepare(_keys.Group != 0 ? _keys.Group : ChildSaNegotiation.PfsGroup(config));

    public override void BuildRequest(IkeSa sa, IkeMessage request)
    {
        if (_keys.InFollowUp)
        {
            _keys.AddFollowUp(request); // RFC 9370 §2.2.4
            return;
        }
        _child ??= context.Children.Create(sa, config);
        if (_keys.Group == 0) _keys.Group = ChildSaNegotiation.PfsGroup(config);
        context.Children.AddRequest(sa, _child, request, withKeyExchange: _keys.WithKeyExchange);
        _keys.AddTo(request);
    }

    public override TaskOutcome ProcessResponse(IkeSa sa, IkeMessage response)
    {
        if (_keys.FollowUp is null && _keys.RetryWithPeersGroup(sa, response, $"CHILD_SA {config.Name}")) return TaskOutcome.Retry;
        if (_keys.OffloadSecret(response) is { } job) return Offload(job, () => ProcessResponse(sa, response));
        if (_keys.Next(response, $"CHILD_SA {config.Name}", out var answer, out var shared, out var additional, out var nr, out var error)) return TaskOutcome.Retry;
        error ??= context.Children.CompleteAsInitiator(sa, _child!, answer, shared, _keys.Ni, nr, withKeyExchange: _keys.WithKeyExchange, additional);
        CryptographicOperations.ZeroMemory(shared);
        CryptographicOperations.ZeroMemory(additional);
        _keys.Dispose();
        if (error is not null)
        {
            context.Log.Warn(sa, error);
            completion?.Fail(error, sa.UniqueId);
        }
        else
        {
            completion?.ChildUp($"CHILD_SA {_child!.Config.Name}{{{_child.UniqueId}}}", sa.UniqueId);
        }
        return TaskOutcome.Done;
    }

    public override void Abort(IkeSa sa, string reason)
    {
        _keys.Dispose();
        completion?.Fail(reason, sa.UniqueId);
    }
}

using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Config;
using Petrel.Ike.Wire;

namespace Petrel.Ike;

/// <summary>
/// CREATE_CHILD_SA for an additional CHILD_SA as initiator (RFC 7296 §1.3.1): SA, Ni, [KE] for PFS,
/// TSi, TSr. INVALID_KE_PAYLOAD makes it retry with the group the responder asks for.
/// Rekeying (§1.3.3, REKEY_SA) will reuse this task with the CHILD_SA being replaced.
/// </summary>
internal sealed class CreateChildSaTask(IkeEngine engine, ChildConfig config, InitiateCompletion? completion) : IkeTask
{
    private ChildSa? _child;
    private byte[] _ni = [];
    private ushort _group;
    private KeyExchangeState? _ke;
    private int _retries;

    public override ExchangeType Exchange => ExchangeType.CreateChildSa;

    public override void BuildRequest(IkeSa sa, IkeMessage request)
    {
        _child ??= engine.Children.Create(sa, config);
        if (_group == 0) _group = ChildSaNegotiation.PfsGroup(config);
        _ni = engine.RandomBytes(IkeEngine.NonceLength);
        engine.Children.AddRequest(sa, _child, request, withKeyExchange: _group != 0);
        // §3.10: Nonce and KE follow the SA payload; the TS payloads were added after it, so insert before them.
        int tsIndex = request.Payloads.FindIndex(p => p.Type == PayloadType.TrafficSelectorInitiator);
        request.Payloads.Insert(tsIndex, new NoncePayload(_ni));
        if (_group != 0)
        {
            var method = engine.KeyExchangeFor(_group) ?? throw new IkeSetupException($"key exchange {_group} is not available for PFS");
            _ke?.Dispose();
            _ke = method.Create(engine.Random);
            request.Payloads.Insert(tsIndex + 1, new KeyExchangePayload(_group, _ke.PublicKey));
        }
    }

    public override TaskOutcome ProcessResponse(IkeSa sa, IkeMessage response)
    {
        var invalidKe = response.GetNotify(NotifyType.InvalidKePayload);
        if (invalidKe is not null && invalidKe.TryGetGroup(out ushort group) && ++_retries <= 3 && engine.KeyExchangeFor(group) is not null)
        {
            engine.Info(sa, $"peer wants {AlgorithmCatalog.Describe(new Transform(TransformType.KeyExchange, group))} for CHILD_SA {config.Name}, retrying");
            _group = group;
            return TaskOutcome.Retry;
        }

        byte[] shared = [];
        string? error = null;
        var nonce = response.Get<NoncePayload>();
        bool failedByNotify = false;
        foreach (var n in response.GetAll<NotifyPayload>()) failedByNotify |= n.IsError;
        if (!failedByNotify)
        {
            if (nonce is null || !nonce.HasValidLength)
                error = $"CHILD_SA {config.Name}: response lacks a valid nonce";
            else if (_group != 0)
            {
                var ke = response.Get<KeyExchangePayload>();
                if (ke is null || ke.Group != _group)
                    error = $"CHILD_SA {config.Name}: response lacks KE for group {_group}";
                else
                {
                    try { shared = _ke!.ComputeSharedSecret(ke.Data.Span); }
                    catch (CryptographicException e) { error = $"CHILD_SA {config.Name}: invalid KE value: {e.Message}"; }
                }
            }
        }
        error ??= engine.Children.CompleteAsInitiator(sa, _child!, response, shared, _ni, nonce is null ? default : nonce.Data.Span, withKeyExchange: _group != 0);
        CryptographicOperations.ZeroMemory(shared);
        _ke?.Dispose();
        _ke = null;
        if (error is not null)
        {
            engine.Warn(sa, error);
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
        _ke?.Dispose();
        completion?.Fail(reason, sa.UniqueId);
    }
}

using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.KeyExchange;
using Petrel.Ike.Keying;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.IkeIntermediate;

/// <summary>
/// One IKE_INTERMEDIATE exchange as initiator (RFC 9242), carrying the next RFC 9370 additional key exchange of the
/// IKE SA's setup: KE inside SK, the responder's KE back. Then both IntAuth chains take the two messages (with the SK_p
/// keys that protected them) and the SA is keyed anew, SKEYSEED(n) = prf(SK_d(n-1), SK(n) | Ni | Nr) (RFC 9370 §2.2.2).
/// One task per additional key exchange, queued in transform-type order before IKE_AUTH.
/// </summary>
internal sealed class IkeIntermediateTask(IIkeContext context, InitiateCompletion? completion) : IkeTask
{
    private KeyExchangeState? _kex;
    private IkeMessage? _request;

    public override ExchangeType Exchange => ExchangeType.IkeIntermediate;

    public override void BuildRequest(IkeSa sa, IkeMessage request)
    {
        var method = Method(sa);
        _kex?.Dispose();
        _kex = (KeyExchanges.Find(method.Id) ?? throw new IkeSetupException($"key exchange method {Name(method)} is not available")).Create(context.Random);
        request.Payloads.Add(new KeyExchangePayload(method.Id, _kex.PublicKey));
        _request = request;
    }

    public override TaskOutcome ProcessResponse(IkeSa sa, IkeMessage response)
    {
        var method = Method(sa);
        foreach (var n in response.GetAll<NotifyPayload>())
            if (n.IsError)
                return Fail(sa, $"IKE_INTERMEDIATE for additional key exchange {Name(method)} failed: peer answered {NotifyNames.Of(n.NotifyType)}");
        var ke = response.Get<KeyExchangePayload>();
        if (ke is null || ke.Group != method.Id)
            return Fail(sa, $"IKE_INTERMEDIATE response lacks the KE payload of {Name(method)}");
        byte[] shared;
        try
        {
            shared = _kex!.ComputeSharedSecret(ke.Data.Span);
        }
        catch (CryptographicException e)
        {
            return Fail(sa, $"invalid {Name(method)} KE value from peer: {e.Message}");
        }
        finally
        {
            _kex?.Dispose();
            _kex = null;
        }
        try
        {
            sa.CompleteIntermediate(_request!, response, shared, context.Random);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
        context.Log.Info(sa, $"additional key exchange {Name(method)} done in IKE_INTERMEDIATE, IKE SA keys updated");
        return TaskOutcome.Done;
    }

    public override void Abort(IkeSa sa, string reason)
    {
        _kex?.Dispose();
        _kex = null;
        completion?.Fail(reason, sa.UniqueId);
    }

    private static Crypto.Proposals.Transform Method(IkeSa sa) => sa.AdditionalKeyExchanges[sa.AdditionalKeyExchangesDone];

    internal static string Name(Crypto.Proposals.Transform t) => AlgorithmCatalog.Describe(t);

    private TaskOutcome Fail(IkeSa sa, string reason)
    {
        context.Log.Warn(sa, reason);
        completion?.Fail(reason, sa.UniqueId);
        return TaskOutcome.DestroySa;
    }
}

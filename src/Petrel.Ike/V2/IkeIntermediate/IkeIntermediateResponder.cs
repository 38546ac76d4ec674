using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Ike.Keying;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.IkeIntermediate;

/// <summary>
/// IKE_INTERMEDIATE as responder (RFC 9242, RFC 9370 §2.2.2): the request carries the KE payload of the next negotiated
/// additional key exchange; we answer with ours. Once the response is on its way (<see cref="Complete"/>), both
/// messages enter the IntAuth chains and the SA is keyed with the new shared secret. A request out of place, or with
/// the wrong or an invalid KE, ends the IKE SA: its keys would no longer agree with the initiator's.
/// </summary>
internal sealed class IkeIntermediateResponder(IIkeContext context)
{
    /// <summary>Fills the response; returns true when the IKE SA must be destroyed after the response is sent.</summary>
    public bool Handle(IkeSa sa, IkeMessage request, IkeMessage response)
    {
        if (sa.IsInitiator || sa.State != IkeSaState.Connecting || !sa.AdditionalKeyExchangesPending)
        {
            context.Log.Warn(sa, $"IKE_INTERMEDIATE request in state {StateNames.Of(sa.State)} with no additional key exchange pending, sending INVALID_SYNTAX");
            response.Payloads.Add(new NotifyPayload(NotifyType.InvalidSyntax));
            return true;
        }
        var method = sa.AdditionalKeyExchanges[sa.AdditionalKeyExchangesDone];
        string name = AlgorithmCatalog.Describe(method);
        var ke = request.Get<KeyExchangePayload>();
        if (ke is null)
        {
            context.Log.Warn(sa, $"IKE_INTERMEDIATE request without the KE payload of {name}, sending INVALID_SYNTAX");
            response.Payloads.Add(new NotifyPayload(NotifyType.InvalidSyntax));
            return true;
        }
        if (ke.Group != method.Id || KeyExchanges.Find(method.Id) is not { } kexMethod)
        {
            context.Log.Warn(sa, $"IKE_INTERMEDIATE request carries KE {AlgorithmCatalog.Describe(new Crypto.Proposals.Transform(Crypto.Algorithms.TransformType.KeyExchange, ke.Group))}, we negotiated {name}, sending NO_PROPOSAL_CHOSEN");
            response.Payloads.Add(new NotifyPayload(NotifyType.NoProposalChosen));
            return true;
        }
        using var kex = kexMethod.Create(context.Random);
        try
        {
            sa.PendingIntermediateSecret = kex.ComputeSharedSecret(ke.Data.Span);
        }
        catch (CryptographicException e)
        {
            context.Log.Warn(sa, $"invalid {name} KE value from peer: {e.Message}, sending NO_PROPOSAL_CHOSEN");
            response.Payloads.Add(new NotifyPayload(NotifyType.NoProposalChosen));
            return true;
        }
        response.Payloads.Add(new KeyExchangePayload(method.Id, kex.PublicKey));
        return false;
    }

    /// <summary>After the response was encoded and sent: IntAuth and the key update of RFC 9370 §2.2.2.</summary>
    public void Complete(IkeSa sa, IkeMessage request, IkeMessage response)
    {
        if (sa.PendingIntermediateSecret is not { } shared) return;
        sa.PendingIntermediateSecret = null;
        var method = sa.AdditionalKeyExchanges[sa.AdditionalKeyExchangesDone];
        try
        {
            sa.CompleteIntermediate(request, response, shared, context.Random);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
        context.Log.Info(sa, $"additional key exchange {AlgorithmCatalog.Describe(method)} done in IKE_INTERMEDIATE, IKE SA keys updated");
    }
}

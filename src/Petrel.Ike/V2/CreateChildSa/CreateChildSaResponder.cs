using Petrel.Ike.Keying;
using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Config;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.CreateChildSa;

/// <summary>
/// CREATE_CHILD_SA as responder (RFC 7296 §1.3): new CHILD_SAs with optional PFS, and a CHILD_SA
/// rekey (REKEY_SA, §1.3.3) answered by creating the replacement with the old one's configuration; the
/// peer then deletes the old one; IKE SA rekeying (§1.3.2) goes to <see cref="IkeRekeyResponder"/>.
/// </summary>
internal sealed class CreateChildSaResponder(IIkeContext context)
{
    private readonly IkeRekeyResponder _ikeRekey = new(context);

    public void Handle(IkeSa sa, IkeMessage request, IkeMessage response)
    {
        if (sa.State is not (IkeSaState.Established or IkeSaState.Rekeying))
        {
            response.Payloads.Add(new NotifyPayload(NotifyType.TemporaryFailure));
            return;
        }
        var saPayload = request.Get<SecurityAssociationPayload>();
        var nonce = request.Get<NoncePayload>();
        if (saPayload is null || nonce is null || !nonce.HasValidLength)
        {
            response.Payloads.Add(new NotifyPayload(NotifyType.InvalidSyntax));
            return;
        }
        if (saPayload.Proposals.Count > 0 && saPayload.Proposals[0].Protocol == SecurityProtocol.Ike)
        {
            _ikeRekey.Handle(sa, request, response);
            return;
        }

        ChildConfig? fixedConfig = null;
        ChildSa? replaced = null;
        var rekey = request.GetNotify(NotifyType.RekeySa);
        if (rekey is not null && rekey.Spi.Length == 4)
        {
            uint spi = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(rekey.Spi.Span);
            replaced = sa.Children.Find(c => c.SpiOut == spi);
            if (replaced is null)
            {
                context.Log.Warn(sa, $"peer rekeys CHILD_SA with SPI {spi:x8}, which we do not have: sending CHILD_SA_NOT_FOUND");
                response.Payloads.Add(new NotifyPayload(NotifyType.ChildSaNotFound, default, (byte)SecurityProtocol.Esp, rekey.Spi));
                return;
            }
            if (ChildRekeyCheck.Refuse(context, sa, replaced) is { } refusal)
            {
                response.Payloads.Add(refusal == NotifyType.ChildSaNotFound
                    ? new NotifyPayload(NotifyType.ChildSaNotFound, default, (byte)SecurityProtocol.Esp, rekey.Spi)
                    : new NotifyPayload(refusal));
                return;
            }
            fixedConfig = replaced.Config;
        }
        else if (sa.State == IkeSaState.Rekeying || sa.Successor is not null)
        {
            // §2.25.2: no new CHILD_SA on an IKE SA that is being rekeyed; the peer retries on the new one.
            response.Payloads.Add(new NotifyPayload(NotifyType.TemporaryFailure));
            return;
        }

        fixedConfig ??= ChildSaNegotiation.FindConfig(sa, request);

        // PFS: if the proposal we would select carries a group, the KE payload must use it (§1.3.1).
        var ke = request.Get<KeyExchangePayload>();
        byte[] shared = [];
        var nr = context.RandomBytes(IkeEngine.NonceLength);
        if (fixedConfig is null && FirstConfig(sa) is null)
        {
            response.Payloads.Add(new NotifyPayload(NotifyType.TsUnacceptable));
            return;
        }
        var probe = ProposalSelector.Select(ProposalText.ForChild(ChildSaNegotiation.Configured(fixedConfig ?? FirstConfig(sa)!), 0, true), saPayload.Proposals);
        var wantedGroup = probe is null ? null : ProposalText.First(probe, TransformType.KeyExchange);
        Petrel.Crypto.KeyExchange.KeyExchangeState? ours = null;
        if (wantedGroup is { Id: > 0 } g)
        {
            if (ke is null || ke.Group != g.Id)
            {
                context.Log.Info(sa, $"CREATE_CHILD_SA KE {(ke is null ? "missing" : $"for group {ke.Group}")}, we selected {AlgorithmCatalog.Describe(g)}: sending INVALID_KE_PAYLOAD");
                var data = new byte[2];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(data, g.Id);
                response.Payloads.Add(new NotifyPayload(NotifyType.InvalidKePayload, data));
                return;
            }
            var method = KeyExchanges.Find(g.Id);
            if (method is null)
            {
                response.Payloads.Add(new NotifyPayload(NotifyType.NoProposalChosen));
                return;
            }
            ours = method.Create(context.Random);
            try { shared = ours.ComputeSharedSecret(ke.Data.Span); }
            catch (CryptographicException e)
            {
                context.Log.Warn(sa, $"invalid KE value in CREATE_CHILD_SA: {e.Message}");
                ours.Dispose();
                response.Payloads.Add(new NotifyPayload(NotifyType.InvalidSyntax));
                return;
            }
        }

        try
        {
            var notify = context.Children.Respond(sa, request, response, shared, nonce.Data.Span, nr, allowKeyExchange: true, fixedConfig, out var child, out string reason, replaced);
            if (notify is { } n)
            {
                context.Log.Warn(sa, reason + $", sending {NotifyNames.Of(n)}");
                response.Payloads.Clear();
                response.Payloads.Add(new NotifyPayload(n));
                return;
            }
            // §3.10 order: SA, Nr, [KE], TSi, TSr — insert after the SA payload.
            int saIndex = response.Payloads.FindIndex(p => p.Type == PayloadType.SecurityAssociation);
            response.Payloads.Insert(saIndex + 1, new NoncePayload(nr));
            if (ours is not null)
                response.Payloads.Insert(saIndex + 2, new KeyExchangePayload(wantedGroup!.Value.Id, ours.PublicKey));
            if (replaced is not null)
                ChildRekeyCheck.PeerRekeyed(context, sa, replaced, child!, nonce.Data.ToArray(), nr);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
            ours?.Dispose();
        }
    }

    private static ChildConfig? FirstConfig(IkeSa sa) => sa.Config.Children.Count > 0 ? sa.Config.Children[0] : null;
}

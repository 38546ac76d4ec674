using System.Net;
using Microsoft.Extensions.Logging;
using Petrel.Ike.Config;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Ike.V1.Keying;
using Petrel.Ike.V1.Wire;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V1.MainMode;

/// <summary>
/// Main Mode as responder (RFC 2409 §5, pre-shared key). Message 1 picks the connection (addresses, `version` 1 or 0,
/// a transform both sides have); the pre-shared key is looked up by message 3 from remote.id or the peer's address,
/// because the peer's ID only arrives, encrypted with that key, in message 5.
/// </summary>
internal sealed class MainModeResponder(IkeV1Protocol v1)
{
    private IkeEngine E => v1.Engine;

    public void OnFirst(IPEndPoint local, IPEndPoint remote, IsakmpMessage m, byte[] raw)
    {
        var saPayload = m.Get(IsakmpPayloadType.SecurityAssociation);
        if (saPayload is null || !SaPayload.TryDecode(saPayload.Body, out var proposals, out string error))
        {
            v1.Drop(null, remote, $"Main Mode message 1 without a valid SA payload");
            return;
        }
        var offered = proposals.Where(p => p.Protocol == V1Protocol.Isakmp)
            .SelectMany(p => p.Transforms.Select(t => (Proposal: p, Transform: t, Suite: Phase1Suite.FromTransform(t, out _)))).ToList();
        ConnectionConfig? config = null;
        (V1Proposal Proposal, V1Transform Transform, Phase1Suite? Suite) chosen = default;
        var candidates = E.V1ConnectionsFor(local.Address, remote.Address);
        foreach (var c in candidates)
        {
            foreach (var ours in Phase1Suite.FromConfigured(c.Proposals, XAuth.XAuthMethod.Phase1(c, initiator: false), c.RekeyTime))
            {
                var match = offered.FirstOrDefault(o => o.Suite is not null && o.Suite.SameAlgorithms(ours));
                if (match.Suite is null) continue;
                config = c;
                chosen = match;
                break;
            }
            if (config is not null) break;
        }
        if (config is null)
        {
            string theirs = string.Join(", ", offered.Select(o => o.Suite is null ? $"(unsupported transform {o.Transform.Number})" : $"{o.Suite}/{o.Suite.AuthMethod}"));
            string mine = candidates.Count == 0 ? "no IKEv1 connection matches these addresses"
                : "we accept " + Phase1Steps.Offered(candidates.SelectMany(c => Phase1Suite.FromConfigured(c.Proposals, XAuth.XAuthMethod.Phase1(c, initiator: false), c.RekeyTime)));
            if (E.Log.Unauthenticated.Admit(LogLevel.Warning, "IKEv1 NO_PROPOSAL_CHOSEN", remote.Address))
                E.Log.Unauthenticated.Write(LogLevel.Warning, $"Main Mode from {remote}: no acceptable proposal: peer offered {theirs}; {mine}");
            var answer = new IsakmpMessage { InitiatorCookie = m.InitiatorCookie, Exchange = IsakmpExchange.Informational };
            answer.Add(IsakmpPayloadType.Notification, new V1Notify(IsakmpNotify.NoProposalChosen).Encode());
            v1.SendRaw(local, remote, answer);
            return;
        }
        if (E.SaTable.HalfOpen >= E.Options.BlockThreshold * 1000)
        {
            v1.Drop(null, remote, "too many half-open IKEv1 SAs");
            return;
        }

        var sa = E.CreateV1Sa(config, initiator: false, local, remote);
        sa.SpiI = m.InitiatorCookie;
        var state = sa.V1!;
        state.SaBody = saPayload.Body;
        state.Suite = chosen.Suite!;
        Phase1Steps.ReadVendorIds(state, m);
        E.Register(sa, sa.SpiI);
        sa.MoveTo(IkeSaState.Connecting);
        E.Log.Info(sa, $"{remote} is initiating a Main Mode IKE_SA, selected {state.Suite}");
        state.LastReceived[0] = (System.Security.Cryptography.SHA256.HashData(raw), null);
        var second = v1.NewMessage(sa, IsakmpExchange.IdentityProtection, 0);
        second.Add(IsakmpPayloadType.SecurityAssociation, SaPayload.Encode([chosen.Proposal with { Transforms = [chosen.Transform] }]));
        Phase1Steps.AddVendorIds(second);
        state.Step = 2;
        v1.Send(sa, second, expectAnswer: false, answering: true);
    }

    public void OnMessage(IkeSa sa, IsakmpMessage m)
    {
        var state = sa.V1!;
        switch (state.Step)
        {
            case 2 when m.Get(IsakmpPayloadType.KeyExchange) is not null:
                OnThird(sa, m);
                break;
            case 4 when m.WasEncrypted && m.Get(IsakmpPayloadType.Hash) is not null:
                OnFifth(sa, m);
                break;
            default:
                v1.Drop(sa, sa.Remote, $"Main Mode message [{string.Join(' ', m.Payloads)}] does not fit step {state.Step}");
                break;
        }
    }

    private void OnThird(IkeSa sa, IsakmpMessage m)
    {
        var state = sa.V1!;
        var nonce = m.Get(IsakmpPayloadType.Nonce)?.Body;
        if (nonce is null || nonce.Length is < 8 or > 256)
        {
            v1.Drop(sa, sa.Remote, "Main Mode message 3 without a valid nonce");
            return;
        }
        var localId = E.LocalIdentityFor(sa.Config, sa.Local.Address);
        state.Psk = E.FindV1Psk(sa, localId, Phase1Steps.PeerIdentityGuess(E, sa.Config, sa.Remote.Address), out string error);
        if (state.Psk is null)
        {
            Fail(sa, error);
            return;
        }
        state.Ke = state.Suite!.Group.Create(E.Random);
        byte[] shared;
        try
        {
            shared = state.Ke.ComputeSharedSecret(m.Get(IsakmpPayloadType.KeyExchange)!.Body);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            Fail(sa, $"peer's KE payload is invalid: {e.Message}");
            return;
        }
        state.PublicI = m.Get(IsakmpPayloadType.KeyExchange)!.Body;
        state.PublicR = state.Ke.PublicKey;
        state.Ni = nonce;
        state.Nr = v1.Nonce();
        Phase1Steps.ProcessNatD(sa, m, sa.Local, sa.Remote);
        var fourth = v1.NewMessage(sa, IsakmpExchange.IdentityProtection, 0);
        fourth.Add(IsakmpPayloadType.KeyExchange, state.PublicR);
        fourth.Add(IsakmpPayloadType.Nonce, state.Nr);
        Phase1Steps.AddNatD(E, sa, fourth);
        state.Step = 4;
        v1.Send(sa, fourth, expectAnswer: false, answering: true);
        Phase1Steps.DeriveKeys(sa, shared);
    }

    private void OnFifth(IkeSa sa, IsakmpMessage m)
    {
        var state = sa.V1!;
        var idPayload = m.Get(IsakmpPayloadType.Identification);
        if (idPayload is null || !IdPayload.TryDecode(idPayload.Body, out var id) || id!.ToIdentity() is not { } peerId)
        {
            Fail(sa, "Main Mode message 5 without a valid ID payload");
            return;
        }
        var expected = Phase1Steps.Hash(sa, ofInitiator: true, idPayload.Body);
        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(expected, m.Get(IsakmpPayloadType.Hash)!.Body))
        {
            Fail(sa, $"HASH_I of '{peerId}' does not verify: the pre-shared keys differ");
            return;
        }
        var pattern = E.RemoteIdentityPattern(sa.Config);
        if (!pattern.Matches(peerId))
        {
            Fail(sa, $"peer identified as '{peerId}', connection '{sa.Name}' expects remote.id '{pattern}'");
            return;
        }
        sa.RemoteId = peerId;
        sa.LocalId = E.LocalIdentityFor(sa.Config, sa.Local.Address);
        sa.Proposal = state.Suite!.Proposal;
        bool initialContact = m.All(IsakmpPayloadType.Notification).Any(n => V1Notify.TryDecode(n.Body, out var x) && x!.Type == IsakmpNotify.InitialContact);
        var ourId = IdPayload.FromIdentity(sa.LocalId).Encode();
        var sixth = v1.NewMessage(sa, IsakmpExchange.IdentityProtection, 0);
        sixth.Add(IsakmpPayloadType.Identification, ourId);
        sixth.Add(IsakmpPayloadType.Hash, Phase1Steps.Hash(sa, ofInitiator: false, ourId));
        state.Step = 6;
        v1.Send(sa, sixth, expectAnswer: false, answering: true);
        state.ForgetHandshake();
        E.Log.Info(sa, $"authentication of '{peerId}' with pre-shared key successful");
        if (!v1.Transactions.Defer(sa))
        {
            E.EstablishedV1(sa);
            v1.Transactions.AfterEstablished(sa);
        }
        if (initialContact && sa.Config.Unique != "never") E.DestroyStaleSas(sa);
    }

    private void Fail(IkeSa sa, string reason)
    {
        E.Log.Warn(sa, $"Main Mode failed: {reason}");
        E.Destroy(sa, reason);
    }
}

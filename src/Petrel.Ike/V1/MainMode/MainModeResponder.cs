using System.Net;
using Microsoft.Extensions.Logging;
using Petrel.Ike.Config;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Ike.V1.Keying;
using Petrel.Ike.V1.Signatures;
using Petrel.Ike.V1.Wire;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V1.MainMode;

/// <summary>
/// Main Mode as responder (RFC 2409 §5, pre-shared key or signatures). Message 1 picks the connection (addresses,
/// `version` 1 or 0, a transform both sides have with an authentication method the connection takes); the pre-shared
/// key is looked up by message 3 from remote.id or the peer's address, because the peer's ID only arrives, encrypted
/// with that key, in message 5. With signatures, messages 3 and 4 carry CERTREQ, 5 and 6 CERT and SIG.
/// </summary>
internal sealed class MainModeResponder(IkeV1Protocol v1)
{
    private IkeEngine E => v1.Engine;

    public void OnFirst(IPEndPoint local, IPEndPoint remote, IsakmpMessage m, byte[] raw)
    {
        if (Select(local, remote, m, aggressive: false) is not var (config, proposal, transform, suite)) return;
        if (Create(local, remote, m, raw, config, suite) is not { } sa) return;
        E.Log.Info(sa, $"{remote} is initiating a Main Mode IKE_SA, selected {suite}/{V1Credentials.Name(suite.AuthMethod)}");
        var second = v1.NewMessage(sa, IsakmpExchange.IdentityProtection, 0);
        second.Add(IsakmpPayloadType.SecurityAssociation, SaPayload.Encode([proposal with { Transforms = [transform] }]));
        Phase1Steps.AddVendorIds(sa, second);
        sa.V1!.Step = 2;
        v1.Send(sa, second, expectAnswer: false, answering: true);
    }

    /// <summary>
    /// The connection and transform for a peer's first Phase 1 message: the best connection for the addresses (with
    /// `aggressive = yes` for Aggressive Mode) that accepts one of the offered transforms with its authentication method.
    /// Null after answering NO_PROPOSAL_CHOSEN, with a warning naming both sides' offers, when none does.
    /// </summary>
    public (ConnectionConfig Config, V1Proposal Proposal, V1Transform Transform, Phase1Suite Suite)? Select(IPEndPoint local, IPEndPoint remote, IsakmpMessage m, bool aggressive)
    {
        string mode = aggressive ? "Aggressive Mode" : "Main Mode";
        var saPayload = m.Get(IsakmpPayloadType.SecurityAssociation);
        if (saPayload is null || !SaPayload.TryDecode(saPayload.Body, out var proposals, out string error))
        {
            v1.Drop(null, remote, $"{mode} message 1 without a valid SA payload");
            return null;
        }
        var offered = proposals.Where(p => p.Protocol == V1Protocol.Isakmp)
            .SelectMany(p => p.Transforms.Select(t => (Proposal: p, Transform: t, Suite: Phase1Suite.FromTransform(t, out _)))).ToList();
        var candidates = E.V1ConnectionsFor(local.Address, remote.Address);
        var refusedAggressive = aggressive ? candidates.Where(c => !c.Aggressive).ToList() : [];
        candidates = [.. candidates.Except(refusedAggressive)];
        foreach (var c in candidates)
        {
            foreach (var ours in Phase1Steps.Acceptable(c))
            {
                var match = offered.FirstOrDefault(o => o.Suite is not null && o.Suite.SameAlgorithms(ours));
                if (match.Suite is not null) return (c, match.Proposal, match.Transform, match.Suite);
            }
        }
        string theirs = string.Join(", ", offered.Select(o => o.Suite is null ? $"(unsupported transform {o.Transform.Number})" : $"{o.Suite}/{o.Suite.AuthMethod}"));
        string mine = candidates.Count > 0 ? "we accept " + Phase1Steps.Offered(candidates.SelectMany(Phase1Steps.Acceptable))
            : refusedAggressive.Count > 0 ? $"connection '{refusedAggressive[0].Name}' does not allow Aggressive Mode (aggressive = no)"
            : "no IKEv1 connection matches these addresses";
        if (E.Log.Unauthenticated.Admit(LogLevel.Warning, "IKEv1 NO_PROPOSAL_CHOSEN", remote.Address))
            E.Log.Unauthenticated.Write(LogLevel.Warning, $"{mode} from {remote}: no acceptable proposal: peer offered {theirs}; {mine}");
        var answer = new IsakmpMessage { InitiatorCookie = m.InitiatorCookie, Exchange = IsakmpExchange.Informational };
        answer.Add(IsakmpPayloadType.Notification, new V1Notify(IsakmpNotify.NoProposalChosen).Encode());
        v1.SendRaw(local, remote, answer);
        return null;
    }

    /// <summary>A responder's half-open SA for a selected first message (bounded by the half-open limit: null when over it).</summary>
    public IkeSa? Create(IPEndPoint local, IPEndPoint remote, IsakmpMessage m, byte[] raw, ConnectionConfig config, Phase1Suite suite)
    {
        if (E.SaTable.HalfOpen >= E.Options.BlockThreshold * 1000)
        {
            v1.Drop(null, remote, "too many half-open IKEv1 SAs");
            return null;
        }
        var sa = E.CreateV1Sa(config, initiator: false, local, remote);
        sa.SpiI = m.InitiatorCookie;
        var state = sa.V1!;
        state.SaBody = m.Get(IsakmpPayloadType.SecurityAssociation)!.Body;
        state.Suite = suite;
        Phase1Steps.ReadVendorIds(state, m);
        E.Register(sa, sa.SpiI);
        sa.MoveTo(IkeSaState.Connecting);
        state.LastReceived[0] = (System.Security.Cryptography.SHA256.HashData(raw), null);
        return sa;
    }

    public void OnMessage(IkeSa sa, IsakmpMessage m)
    {
        var state = sa.V1!;
        switch (state.Step)
        {
            case 2 when m.Get(IsakmpPayloadType.KeyExchange) is not null:
                OnThird(sa, m);
                break;
            case 4 when m.WasEncrypted && m.Get(IsakmpPayloadType.Identification) is not null:
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
        if (Phase1Steps.FindCredential(E, sa, Phase1Steps.PeerIdentityGuess(E, sa.Config, sa.Remote.Address)) is { } missing)
        {
            Fail(sa, missing);
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
        if (state.Credential is not null) V1Credentials.AddCertificateRequests(E, sa.Config, fourth);
        Phase1Steps.AddNatD(E, sa, fourth);
        state.Step = 4;
        v1.Send(sa, fourth, expectAnswer: false, answering: true);
        Phase1Steps.DeriveKeys(sa, shared);
    }

    private void OnFifth(IkeSa sa, IsakmpMessage m)
    {
        var state = sa.V1!;
        if (Phase1Steps.AuthenticatePeer(E, sa, m, peerIsInitiator: true) is { } failure)
        {
            if (!Phase1Steps.DeferForCrl(E, sa, m, failure, OnFifth)) Fail(sa, failure);
            return;
        }
        sa.LocalId = E.LocalIdentityFor(sa.Config, sa.Local.Address);
        var ourId = IdPayload.FromIdentity(sa.LocalId).Encode();
        var sixth = v1.NewMessage(sa, IsakmpExchange.IdentityProtection, 0);
        sixth.Add(IsakmpPayloadType.Identification, ourId);
        Phase1Steps.AddAuthentication(sa, sixth, ofInitiator: false, ourId);
        state.Step = 6;
        v1.Send(sa, sixth, expectAnswer: false, answering: true);
        Established(sa, Phase1Steps.HasInitialContact(m));
    }

    /// <summary>Phase 1 is up as responder (Main Mode message 6 sent, Aggressive Mode message 3 checked).</summary>
    public void Established(IkeSa sa, bool initialContact)
    {
        var state = sa.V1!;
        sa.Proposal = state.Suite!.Proposal;
        string method = V1Credentials.Name(state.Suite.AuthMethod);
        state.ForgetHandshake();
        E.Log.Info(sa, $"authentication of '{sa.RemoteId}' with {method} successful");
        if (!v1.Transactions.Defer(sa))
        {
            E.EstablishedV1(sa);
            v1.Transactions.AfterEstablished(sa);
        }
        if (initialContact && sa.Config.Unique != "never") E.DestroyStaleSas(sa);
    }

    public void Fail(IkeSa sa, string reason)
    {
        E.Log.Warn(sa, $"{(sa.V1!.Aggressive ? "Aggressive" : "Main")} Mode failed: {reason}");
        E.Destroy(sa, reason);
    }
}

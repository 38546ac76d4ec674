using System.Net;
using Petrel.Ike.Config;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Ike.V1.Keying;
using Petrel.Ike.V1.Signatures;
using Petrel.Ike.V1.Wire;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V1.MainMode;

/// <summary>
/// Main Mode as initiator (RFC 2409 §5, pre-shared key or signatures): 1 SA+VIDs → 2 SA+VIDs, 3 KE Ni [CERTREQ] NAT-D →
/// 4 KE Nr [CERTREQ] NAT-D, (float to 4500 when a NAT is seen) 5 [ID HASH_I | CERT SIG_I, N(INITIAL_CONTACT)] →
/// 6 [ID HASH_R | CERT SIG_R]; then Quick Mode for the children.
/// </summary>
internal sealed class MainModeInitiator(IkeV1Protocol v1)
{
    private IkeEngine E => v1.Engine;

    public void Start(ConnectionConfig config, List<ChildConfig> children, IPEndPoint local, IPEndPoint remote, InitiateCompletion completion, List<uint>? reqIds = null)
    {
        V1AuthMethod? method = XAuth.XAuthMethod.Ours(E, config, out string error);
        if (method is null)
        {
            E.Log.Warn(null, $"IKEv1 connection '{config.Name}': {error}");
            completion.Fail($"connection '{config.Name}': {error}", 0);
            return;
        }
        var suites = Phase1Suite.FromConfigured(config.Proposals, method.Value, config.RekeyTime);
        var sa = E.CreateV1Sa(config, initiator: true, local, remote);
        var state = sa.V1!;
        state.Offered = suites;
        state.Completion = completion;
        state.PendingChildren.AddRange(children);
        if (reqIds is not null) state.PendingReqIds.AddRange(reqIds);
        E.Register(sa, 0);
        sa.MoveTo(IkeSaState.Connecting);
        if (config.Aggressive)
        {
            v1.AggressiveI.Start(sa);
            return;
        }
        E.Log.Info(sa, $"initiating Main Mode IKE_SA {sa.Tag} to {sa.Remote}");
        var m = v1.NewMessage(sa, IsakmpExchange.IdentityProtection, 0);
        var transforms = suites.Select((s, i) => s.ToTransform((byte)(i + 1))).ToList();
        state.SaBody = SaPayload.Encode([new V1Proposal(1, V1Protocol.Isakmp, [], transforms)]);
        m.Add(IsakmpPayloadType.SecurityAssociation, state.SaBody);
        Phase1Steps.AddVendorIds(sa, m);
        state.Step = 1;
        v1.Send(sa, m, expectAnswer: true, answering: false);
    }

    public void OnMessage(IkeSa sa, IsakmpMessage m)
    {
        var state = sa.V1!;
        if (m.Get(IsakmpPayloadType.Notification) is { } n && V1Notify.TryDecode(n.Body, out var notify) && notify!.IsError)
        {
            Fail(sa, $"peer answered Main Mode with {V1Notify.Name(notify.Type)}" + (notify.Type == IsakmpNotify.NoProposalChosen
                ? $" (we offered {Phase1Steps.Offered(state.Offered)})" : ""));
            return;
        }
        switch (state.Step)
        {
            case 1 when m.Get(IsakmpPayloadType.SecurityAssociation) is { } saPayload:
                OnSecond(sa, m, saPayload.Body);
                break;
            case 3 when m.Get(IsakmpPayloadType.KeyExchange) is not null:
                OnFourth(sa, m);
                break;
            case 5 when m.WasEncrypted && m.Get(IsakmpPayloadType.Identification) is not null:
                OnSixth(sa, m);
                break;
            default:
                v1.Drop(sa, sa.Remote, $"Main Mode message [{string.Join(' ', m.Payloads)}] does not fit step {state.Step}");
                break;
        }
    }

    private void OnSecond(IkeSa sa, IsakmpMessage m, byte[] body)
    {
        var state = sa.V1!;
        if (sa.SpiR == 0)
        {
            sa.SpiR = m.ResponderCookie;
        }
        if (!SaPayload.TryDecode(body, out var proposals, out string error) || proposals.Count != 1 || proposals[0].Transforms.Count != 1)
        {
            Fail(sa, $"Main Mode response carries no single chosen transform ({(error.Length > 0 ? error : "several")})");
            return;
        }
        var chosen = Phase1Suite.FromTransform(proposals[0].Transforms[0], out error);
        var ours = chosen is null ? null : state.Offered.FirstOrDefault(o => o.SameAlgorithms(chosen));
        if (ours is null)
        {
            Fail(sa, $"peer chose a transform we did not offer ({(chosen?.ToString() ?? error)}; we offered {Phase1Steps.Offered(state.Offered)})");
            return;
        }
        v1.Answered(sa, 0);
        state.Suite = chosen!.Lifetime > TimeSpan.Zero ? chosen : ours;
        Phase1Steps.ReadVendorIds(state, m);
        if (Phase1Steps.FindCredential(E, sa, Phase1Steps.PeerIdentityGuess(E, sa.Config, sa.Remote.Address)) is { } missing)
        {
            Fail(sa, missing);
            return;
        }
        state.Ke = state.Suite.Group.Create(E.Random);
        state.PublicI = state.Ke.PublicKey;
        state.Ni = v1.Nonce();
        var third = v1.NewMessage(sa, IsakmpExchange.IdentityProtection, 0);
        third.Add(IsakmpPayloadType.KeyExchange, state.PublicI);
        third.Add(IsakmpPayloadType.Nonce, state.Ni);
        if (state.Credential is not null) V1Credentials.AddCertificateRequests(E, sa.Config, third);
        Phase1Steps.AddNatD(E, sa, third);
        state.Step = 3;
        v1.Send(sa, third, expectAnswer: true, answering: true);
    }

    private void OnFourth(IkeSa sa, IsakmpMessage m)
    {
        var state = sa.V1!;
        var ke = m.Get(IsakmpPayloadType.KeyExchange)!.Body;
        var nonce = m.Get(IsakmpPayloadType.Nonce)?.Body;
        if (nonce is null || nonce.Length is < 8 or > 256)
        {
            Fail(sa, "Main Mode message 4 without a valid nonce");
            return;
        }
        byte[] shared;
        try
        {
            shared = state.Ke!.ComputeSharedSecret(ke);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            Fail(sa, $"peer's KE payload is invalid: {e.Message}");
            return;
        }
        v1.Answered(sa, 0);
        state.PublicR = ke;
        state.Nr = nonce;
        Phase1Steps.ProcessNatD(sa, m, sa.Local, sa.Remote);
        Phase1Steps.DeriveKeys(sa, shared);
        if (sa.NatAny) E.FloatToNatT(sa);
        sa.LocalId = E.LocalIdentityFor(sa.Config, sa.Local.Address);
        var id = IdPayload.FromIdentity(sa.LocalId).Encode();
        var fifth = v1.NewMessage(sa, IsakmpExchange.IdentityProtection, 0);
        fifth.Add(IsakmpPayloadType.Identification, id);
        Phase1Steps.AddAuthentication(sa, fifth, ofInitiator: true, id);
        Phase1Steps.AddInitialContact(E, sa, fifth);
        state.Step = 5;
        v1.Send(sa, fifth, expectAnswer: true, answering: true);
    }

    private void OnSixth(IkeSa sa, IsakmpMessage m)
    {
        if (Phase1Steps.AuthenticatePeer(E, sa, m, peerIsInitiator: false) is { } failure)
        {
            if (!Phase1Steps.DeferForCrl(E, sa, m, failure, OnSixth)) Fail(sa, failure);
            return;
        }
        v1.Answered(sa, 0);
        sa.V1!.Step = 6;
        Established(sa);
    }

    /// <summary>Phase 1 is up (Main Mode message 6, Aggressive Mode message 2): the pending children get their Quick Modes.</summary>
    public void Established(IkeSa sa)
    {
        var state = sa.V1!;
        sa.Proposal = state.Suite!.Proposal;
        string method = V1Credentials.Name(state.Suite.AuthMethod);
        state.ForgetHandshake();
        E.Log.Info(sa, $"authentication of '{sa.RemoteId}' with {method} successful");
        if (v1.Transactions.Defer(sa)) return;
        Finish(sa);
    }

    /// <summary>Phase 1 is up (after XAuth and Mode Config when configured): established, then Quick Mode for the children.</summary>
    public void Finish(IkeSa sa)
    {
        var state = sa.V1!;
        E.EstablishedV1(sa);
        var children = state.PendingChildren.ToList();
        var reqIds = state.PendingReqIds.ToList();
        state.PendingChildren.Clear();
        state.PendingReqIds.Clear();
        var completion = state.Completion;
        state.Completion = null;
        if (children.Count == 0) completion?.ChildUp($"IKE_SA {sa.Tag}", sa.UniqueId);
        for (int i = 0; i < children.Count; i++) v1.Quick.Start(sa, children[i], completion, reqId: i < reqIds.Count ? reqIds[i] : 0);
    }

    public void Fail(IkeSa sa, string reason)
    {
        E.Log.Warn(sa, $"{(sa.V1!.Aggressive ? "Aggressive" : "Main")} Mode failed: {reason}");
        sa.V1!.Completion?.Fail($"IKE_SA {sa.Tag}: {reason}", sa.UniqueId);
        sa.V1.Completion = null;
        E.Destroy(sa, reason);
    }
}

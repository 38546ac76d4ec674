using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Ike.V1.Keying;
using Petrel.Ike.V1.MainMode;
using Petrel.Ike.V1.Signatures;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.AggressiveMode;

/// <summary>
/// Aggressive Mode as initiator (RFC 2409 §5, `aggressive = yes`): 1 SA KE Ni IDii [CERTREQ] VIDs →
/// 2 SA KE Nr IDir [CERT] HASH_R|SIG_R NAT-D VIDs, 3 [HASH_I | CERT SIG_I, NAT-D, N(INITIAL_CONTACT)] encrypted (from 4500
/// when a NAT is seen). One KE goes in message 1, so only the transforms with the first configured group are offered,
/// as strongSwan does. With a pre-shared key, message 2 exposes a hash an eavesdropper can attack offline: a warning says so.
/// </summary>
internal sealed class AggressiveModeInitiator(IkeV1Protocol v1)
{
    private IkeEngine E => v1.Engine;

    /// <summary>Sends message 1 for an SA that MainModeInitiator.Start registered (its offered suites set).</summary>
    public void Start(IkeSa sa)
    {
        var state = sa.V1!;
        state.Aggressive = true;
        var group = state.Offered[0].GroupEntry;
        state.Offered = [.. state.Offered.Where(s => s.GroupEntry == group)];
        E.Log.Info(sa, $"initiating Aggressive Mode IKE_SA {sa.Tag} to {sa.Remote}");
        state.Suite = state.Offered[0];
        if (!V1Signature.IsSignature(state.Suite.AuthMethod))
            E.Log.Warn(sa, "Aggressive Mode with a pre-shared key: the responder's hash travels unencrypted and lets an eavesdropper test guesses of the key offline (aggressive = yes)");
        if (Phase1Steps.FindCredential(E, sa, Phase1Steps.PeerIdentityGuess(E, sa.Config, sa.Remote.Address)) is { } missing)
        {
            v1.MainModeI.Fail(sa, missing);
            return;
        }
        state.Ke = state.Suite.Group.Create(E.Random);
        state.PublicI = state.Ke.PublicKey;
        state.Ni = v1.Nonce();
        sa.LocalId = E.LocalIdentityFor(sa.Config, sa.Local.Address);
        state.IdBodyI = IdPayload.FromIdentity(sa.LocalId).Encode();
        var m = v1.NewMessage(sa, IsakmpExchange.Aggressive, 0);
        state.SaBody = SaPayload.Encode([new V1Proposal(1, V1Protocol.Isakmp, [], [.. state.Offered.Select((s, i) => s.ToTransform((byte)(i + 1)))])]);
        m.Add(IsakmpPayloadType.SecurityAssociation, state.SaBody);
        m.Add(IsakmpPayloadType.KeyExchange, state.PublicI);
        m.Add(IsakmpPayloadType.Nonce, state.Ni);
        m.Add(IsakmpPayloadType.Identification, state.IdBodyI);
        if (state.Credential is not null) V1Credentials.AddCertificateRequests(E, sa.Config, m);
        Phase1Steps.AddVendorIds(sa, m);
        state.Step = 1;
        v1.Send(sa, m, expectAnswer: true, answering: false);
    }

    public void OnMessage(IkeSa sa, IsakmpMessage m)
    {
        var state = sa.V1!;
        if (m.Get(IsakmpPayloadType.Notification) is { } n && V1Notify.TryDecode(n.Body, out var notify) && notify!.IsError)
        {
            v1.MainModeI.Fail(sa, $"peer answered Aggressive Mode with {V1Notify.Name(notify.Type)}" + (notify.Type == IsakmpNotify.NoProposalChosen
                ? $" (we offered {Phase1Steps.Offered(state.Offered)})" : ""));
            return;
        }
        if (state.Step != 1 || m.Get(IsakmpPayloadType.SecurityAssociation) is not { } saPayload || m.Get(IsakmpPayloadType.KeyExchange) is not { } ke)
        {
            v1.Drop(sa, sa.Remote, $"Aggressive Mode message [{string.Join(' ', m.Payloads)}] does not fit step {state.Step}");
            return;
        }
        if (!SaPayload.TryDecode(saPayload.Body, out var proposals, out string error) || proposals.Count != 1 || proposals[0].Transforms.Count != 1)
        {
            v1.MainModeI.Fail(sa, $"Aggressive Mode response carries no single chosen transform ({(error.Length > 0 ? error : "several")})");
            return;
        }
        var chosen = Phase1Suite.FromTransform(proposals[0].Transforms[0], out error);
        var ours = chosen is null ? null : state.Offered.FirstOrDefault(o => o.SameAlgorithms(chosen));
        if (ours is null)
        {
            v1.MainModeI.Fail(sa, $"peer chose a transform we did not offer ({(chosen?.ToString() ?? error)}; we offered {Phase1Steps.Offered(state.Offered)})");
            return;
        }
        var nonce = m.Get(IsakmpPayloadType.Nonce)?.Body;
        if (nonce is null || nonce.Length is < 8 or > 256)
        {
            v1.MainModeI.Fail(sa, "Aggressive Mode message 2 without a valid nonce");
            return;
        }
        byte[] shared;
        try
        {
            shared = state.Ke!.ComputeSharedSecret(ke.Body);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            v1.MainModeI.Fail(sa, $"peer's KE payload is invalid: {e.Message}");
            return;
        }
        sa.SpiR = m.ResponderCookie;
        state.Suite = chosen!.Lifetime > TimeSpan.Zero ? chosen : ours;
        state.PublicR = ke.Body;
        state.Nr = nonce;
        Phase1Steps.ReadVendorIds(state, m);
        Phase1Steps.ProcessNatD(sa, m, sa.Local, sa.Remote);
        Phase1Steps.DeriveKeys(sa, shared);
        Authenticate(sa, m);
    }

    /// <summary>Message 2's proof, checked once the keys exist (again, when the peer's certificate waited for a CRL).</summary>
    private void Authenticate(IkeSa sa, IsakmpMessage m)
    {
        var state = sa.V1!;
        if (Phase1Steps.AuthenticatePeer(E, sa, m, peerIsInitiator: false) is { } failure)
        {
            if (!Phase1Steps.DeferForCrl(E, sa, m, failure, Authenticate)) v1.MainModeI.Fail(sa, failure);
            return;
        }
        v1.Answered(sa, 0);
        var third = v1.NewMessage(sa, IsakmpExchange.Aggressive, 0);
        Phase1Steps.AddAuthentication(sa, third, ofInitiator: true, state.IdBodyI!);
        Phase1Steps.AddNatD(E, sa, third);
        Phase1Steps.AddInitialContact(E, sa, third);
        if (sa.NatAny) E.FloatToNatT(sa);
        state.Step = 3;
        v1.Send(sa, third, expectAnswer: false, answering: true);
        v1.MainModeI.Established(sa);
    }
}

using System.Net;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Ike.V1.MainMode;
using Petrel.Ike.V1.Signatures;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.AggressiveMode;

/// <summary>
/// Aggressive Mode as responder, only for connections with `aggressive = yes`: message 1 names the initiator's ID, so
/// the pre-shared key is looked up for it; message 2 carries our ID and proof, message 3 (encrypted) the initiator's.
/// With a pre-shared key a warning says that message 2 exposes a hash of it.
/// </summary>
internal sealed class AggressiveModeResponder(IkeV1Protocol v1)
{
    private IkeEngine E => v1.Engine;

    public void OnFirst(IPEndPoint local, IPEndPoint remote, IsakmpMessage m, byte[] raw)
    {
        var ke = m.Get(IsakmpPayloadType.KeyExchange)?.Body;
        var nonce = m.Get(IsakmpPayloadType.Nonce)?.Body;
        var idBody = m.Get(IsakmpPayloadType.Identification)?.Body;
        if (ke is null || nonce is null || nonce.Length is < 8 or > 256 || idBody is null || !IdPayload.TryDecode(idBody, out var id) || id!.ToIdentity() is not { } peerId)
        {
            v1.Drop(null, remote, "Aggressive Mode message 1 without KE, a valid nonce and a valid ID");
            return;
        }
        if (v1.MainModeR.Select(local, remote, m, aggressive: true) is not var (config, proposal, transform, suite)) return;
        if (v1.MainModeR.Create(local, remote, m, raw, config, suite) is not { } sa) return;
        var state = sa.V1!;
        state.Aggressive = true;
        state.IdBodyI = idBody;
        state.HandshakeLocal = local;
        state.HandshakeRemote = remote;
        E.Log.Info(sa, $"{remote} is initiating an Aggressive Mode IKE_SA as '{peerId}', selected {suite}/{V1Credentials.Name(suite.AuthMethod)}");
        if (!V1Signature.IsSignature(suite.AuthMethod))
            E.Log.Warn(sa, "Aggressive Mode with a pre-shared key: our hash travels unencrypted and lets an eavesdropper test guesses of the key offline (aggressive = yes)");
        if (Phase1Steps.FindCredential(E, sa, peerId) is { } missing)
        {
            v1.MainModeR.Fail(sa, missing);
            return;
        }
        state.Ke = suite.Group.Create(E.Random);
        byte[] shared;
        try
        {
            shared = state.Ke.ComputeSharedSecret(ke);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            v1.MainModeR.Fail(sa, $"peer's KE payload does not fit {suite.GroupEntry.Name}: {e.Message}");
            return;
        }
        state.PublicI = ke;
        state.PublicR = state.Ke.PublicKey;
        state.Ni = nonce;
        state.Nr = v1.Nonce();
        Phase1Steps.DeriveKeys(sa, shared);
        sa.LocalId = E.LocalIdentityFor(sa.Config, sa.Local.Address);
        var ourId = IdPayload.FromIdentity(sa.LocalId).Encode();
        var second = v1.NewMessage(sa, IsakmpExchange.Aggressive, 0);
        second.Add(IsakmpPayloadType.SecurityAssociation, SaPayload.Encode([proposal with { Transforms = [transform] }]));
        second.Add(IsakmpPayloadType.KeyExchange, state.PublicR);
        second.Add(IsakmpPayloadType.Nonce, state.Nr);
        second.Add(IsakmpPayloadType.Identification, ourId);
        Phase1Steps.AddAuthentication(sa, second, ofInitiator: false, ourId);
        if (state.Credential is not null) V1Credentials.AddCertificateRequests(E, sa.Config, second);
        Phase1Steps.AddVendorIds(sa, second);
        Phase1Steps.AddNatD(E, sa, second);
        state.Step = 2;
        // Message 2 goes unencrypted although the keys exist; message 3 comes encrypted.
        var cipher = state.Cipher;
        state.Cipher = null;
        v1.Send(sa, second, expectAnswer: true, answering: true);
        state.Cipher = cipher;
    }

    public void OnMessage(IkeSa sa, IsakmpMessage m)
    {
        var state = sa.V1!;
        if (state.Step != 2 || !m.WasEncrypted)
        {
            v1.Drop(sa, sa.Remote, $"Aggressive Mode message [{string.Join(' ', m.Payloads)}] does not fit step {state.Step}");
            return;
        }
        Phase1Steps.ProcessNatD(sa, m, state.HandshakeLocal ?? sa.Local, state.HandshakeRemote ?? sa.Remote);
        if (Phase1Steps.AuthenticatePeer(E, sa, m, peerIsInitiator: true, state.IdBodyI) is { } failure)
        {
            if (!Phase1Steps.DeferForCrl(E, sa, m, failure, OnMessage)) v1.MainModeR.Fail(sa, failure);
            return;
        }
        v1.Answered(sa, 0);
        state.Step = 3;
        v1.MainModeR.Established(sa, Phase1Steps.HasInitialContact(m));
    }
}

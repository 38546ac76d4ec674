using Petrel.Ike.Keying;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Auth;

/// <summary>
/// PSK authentication of IKE_AUTH (RFC 7296 §2.15): picks the secret for our and the peer's identity,
/// computes our AUTH over our signed octets and verifies the peer's over theirs.
/// </summary>
internal sealed class PskAuthenticator(IIkeContext context)
{
    public byte[]? FindSecret(IkeSa sa, Identity local, Identity remote, out string error)
    {
        var secret = SharedSecretLookup.Find(context.Credentials.Secrets, local, remote);
        if (secret is null)
        {
            error = $"no shared key found for '{local}' - '{remote}'";
            return null;
        }
        error = "";
        return secret.Secret;
    }

    /// <summary>Our AUTH: the initiator signs message 1 | Nr | prf(SK_pi, IDi'), the responder message 2 | Ni | prf(SK_pr, IDr').</summary>
    public byte[] Sign(IkeSa sa, IdentificationPayload ourId, byte[] secret)
    {
        var octets = SignedOctetsFor(sa, sa.IsInitiator, ourId);
        return SharedKeyAuthentication.Compute(sa.Suite!.Prf, secret, octets);
    }

    public bool Verify(IkeSa sa, IdentificationPayload peerId, AuthenticationPayload auth, byte[] secret)
    {
        if (auth.Method != AuthMethod.SharedKeyMessageIntegrityCode) return false;
        var octets = SignedOctetsFor(sa, !sa.IsInitiator, peerId);
        return SharedKeyAuthentication.Verify(sa.Suite!.Prf, secret, octets, auth.Data.Span);
    }

    private static byte[] SignedOctetsFor(IkeSa sa, bool signerIsInitiator, IdentificationPayload id) =>
        signerIsInitiator
            ? SignedOctets.Build(sa.Suite!.Prf, sa.InitRequest, sa.Nr, sa.Keys!.SkPi, id.GetBody())
            : SignedOctets.Build(sa.Suite!.Prf, sa.InitResponse, sa.Ni, sa.Keys!.SkPr, id.GetBody());
}

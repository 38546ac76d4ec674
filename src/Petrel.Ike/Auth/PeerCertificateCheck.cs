using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Auth;

/// <summary>
/// The CPU-heavy middle of checking a peer's certificate (RFC 7296 §2.15, RFC 5280 §6): the chain to a trusted CA with
/// validity, the key usage, then the AUTH signature. Holds only copies the engine thread made
/// (<see cref="PubkeyAuthenticator.BeginVerifyPeer"/>), so <see cref="Run"/> may run on a crypto worker; revocation follows on
/// the engine thread (<see cref="PubkeyAuthenticator.Finish"/>), since CRL fetches and the cache live there.
/// </summary>
internal sealed class PeerCertificateCheck(Identity peerId, X509Certificate endEntity, List<X509Certificate> anchors,
    X509Certificate[] intermediates, X509Certificate[] sentIntermediates, DateTime now,
    Func<X509Certificate, SignatureVerification> verifySignature, string what, SignatureBudget budget)
{
    public X509Certificate EndEntity => endEntity;

    /// <summary>The validated chain, end entity first (after <see cref="Run"/> succeeded).</summary>
    public IReadOnlyList<X509Certificate> Chain { get; private set; } = [];

    /// <summary>Why the check failed, or null when chain, usage and signature are good (after <see cref="Run"/>).</summary>
    public PeerAuthentication? Failure { get; private set; }

    public void Run()
    {
        var chain = new ChainValidator(anchors, intermediates).Validate(endEntity, now, sentIntermediates, budget);
        if (!chain.Ok)
        {
            Failure = PeerAuthentication.Fail(anchors.Count == 0
                ? $"certificate '{PubkeyAuthenticator.Name(endEntity)}': no trusted CA certificates are loaded ({chain.Reason})"
                : chain.Reason, endEntity);
            return;
        }
        if (PubkeyAuthenticator.UsageProblem(endEntity) is { } usage)
        {
            Failure = PeerAuthentication.Fail(usage, endEntity);
            return;
        }
        var verified = verifySignature(endEntity);
        if (!verified.Ok)
        {
            Failure = PeerAuthentication.Fail($"{what} of '{peerId}' does not verify: {verified.Reason}", endEntity);
            return;
        }
        Chain = chain.Chain;
    }
}

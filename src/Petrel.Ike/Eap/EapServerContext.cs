namespace Petrel.Ike.Eap;

/// <summary>
/// What a server method is told about its conversation: the peer's EAP identity (from EAP-Identity or its IKE
/// identity), our own identity, the identifier of its first Request, randomness, the secret lookup, and how a
/// pending method hands the conversation back to the engine.
/// </summary>
public sealed class EapServerContext
{
    /// <summary>The identity the peer claims (EAP-Identity Response, else its IDi), as text.</summary>
    public required string PeerIdentity { get; init; }

    /// <summary>Our identity (IDr), as text; secrets are looked up for the pair.</summary>
    public required string ServerIdentity { get; init; }

    /// <summary>The Identifier of the method's first Request; later Requests count on from it (RFC 3748 §4.1).</summary>
    public byte FirstIdentifier { get; init; }

    public required Action<Span<byte>> Random { get; init; }

    /// <summary>The secret for a user name (eap-/ntlm- secrets); null when none is configured.</summary>
    public Func<string, EapSecret?> FindSecret { get; init; } = _ => null;

    /// <summary>Called by a method that returned Pending once it can answer (see <see cref="IEapServer"/>).</summary>
    public Action Resume { get; init; } = () => { };
}

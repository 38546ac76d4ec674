namespace Petrel.Ike.Wire;

/// <summary>
/// Outcome of decoding a received IKE message. Every failure is an expected event the engine
/// drops and counts; none is an exception.
/// </summary>
public enum IkeDecodeStatus
{
    Success,
    /// <summary>Truncated, inconsistent lengths, bad substructures: drop (RFC 7296 §2.21 INVALID_SYNTAX only when authenticated).</summary>
    Malformed,
    /// <summary>Major version is not 2: RFC 7296 §2.5 answers INVALID_MAJOR_VERSION (header is still returned).</summary>
    InvalidMajorVersion,
    /// <summary>The SK/SKF payload's ICV (or AEAD tag) did not verify: drop silently (RFC 7296 §2.21.2).</summary>
    IntegrityCheckFailed,
    /// <summary>
    /// The SK/SKF payload authenticated but its padding or inner payload chain is malformed: RFC 7296 §2.21.2
    /// allows an INVALID_SYNTAX answer because the message is known to come from the peer.
    /// </summary>
    InvalidSyntax,
}

namespace Petrel.Ike.Eap;

/// <summary>
/// The authenticator's side of one EAP method conversation with one peer (RFC 3748 §2): a new instance per
/// conversation. <see cref="Start"/> gives the first Request, each Response from the peer goes to <see cref="Process"/>,
/// and the conversation ends with a Success (then <see cref="Msk"/> holds the key, RFC 3748 §7.10) or a Failure with a
/// reason for the log. Local methods (MD5, MSCHAPv2, TLS) answer at once; a pass-through to a backend (RADIUS,
/// RFC 3579) may return <see cref="EapServerStepKind.Pending"/> and call <see cref="EapServerContext.Resume"/> when
/// its answer arrives, on the engine's thread; the same Response is then given to <see cref="Process"/> again and
/// the method returns the finished step.
/// </summary>
public interface IEapServer
{
    /// <summary>For the log: "EAP-MSCHAPv2", or what a pass-through relays.</summary>
    string Name { get; }

    EapServerStep Start();

    EapServerStep Process(EapPacket response);

    /// <summary>The Master Session Key once the method succeeded; empty for methods that derive none (MD5).</summary>
    ReadOnlyMemory<byte> Msk { get; }

    /// <summary>
    /// A pass-through (RADIUS) relays every Response, a Nak included, to the backend, which picks the method; a local
    /// method leaves the Nak to <see cref="EapServerSession"/>.
    /// </summary>
    bool PassThrough => false;
}

namespace Petrel.Ike.Eap;

public enum EapServerStepKind
{
    /// <summary>
    /// Send <see cref="EapServerStep.Packet"/> (a Request) and wait for the peer's Response. A non-empty
    /// <see cref="EapServerStep.Reason"/> says the method already refused the peer and this Request tells it so (an
    /// MS-CHAPv2 Failure Request): log it now, since a peer may never answer.
    /// </summary>
    Request,
    /// <summary>The peer is authenticated: send <see cref="EapServerStep.Packet"/> (EAP-Success).</summary>
    Success,
    /// <summary>The peer is refused: send <see cref="EapServerStep.Packet"/> (EAP-Failure); <see cref="EapServerStep.Reason"/> says why.</summary>
    Failure,
    /// <summary>A backend is asked; nothing to send yet (see <see cref="IEapServer"/>).</summary>
    Pending,
}

/// <summary>What an <see cref="IEapServer"/> wants done after a call.</summary>
public sealed record EapServerStep(EapServerStepKind Kind, EapPacket? Packet, string Reason)
{
    public static EapServerStep Send(EapPacket request, string refusal = "") => new(EapServerStepKind.Request, request, refusal);
    public static EapServerStep Succeed(byte identifier) => new(EapServerStepKind.Success, EapPacket.Success(identifier), "");
    public static EapServerStep Fail(byte identifier, string reason) => new(EapServerStepKind.Failure, EapPacket.Failure(identifier), reason);
    public static readonly EapServerStep Wait = new(EapServerStepKind.Pending, null, "");
}

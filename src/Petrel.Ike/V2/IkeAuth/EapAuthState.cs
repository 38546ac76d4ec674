using Petrel.Ike.Eap;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.IkeAuth;

/// <summary>
/// What the responder keeps between the IKE_AUTH exchanges of an EAP authentication: the conversation, the first
/// request (its SA and TS make the CHILD_SA at the end, its IDi is what the final AUTH covers), our IDr, and
/// whether the method has succeeded.
/// </summary>
internal sealed class EapAuthState(EapServerSession session, IkeMessage firstRequest, IdentificationPayload idi, IdentificationPayload idr, bool eapOnly)
{
    public EapServerSession Session { get; } = session;
    public IkeMessage FirstRequest { get; } = firstRequest;
    public IdentificationPayload Idi { get; } = idi;
    public IdentificationPayload Idr { get; } = idr;
    public bool EapOnly { get; } = eapOnly;
    public bool Succeeded { get; set; }
    /// <summary>Which of the connection's remote rounds this EAP conversation is (1 based; RFC 4739's later rounds are 2 …).</summary>
    public int Round { get; init; } = 1;

    /// <summary>The method's first Request waits for a backend (RADIUS): the first request is processed again when it answers.</summary>
    public bool StartPending { get; set; }
}

using Petrel.Ike.Wire;

namespace Petrel.Ike.Engine;

/// <summary>
/// An IKE_AUTH message whose processing waits for a CRL fetch: the request we have not answered yet (responder,
/// <see cref="Pending"/> null) or the response to our request (initiator, with the request it answers). Nothing of the
/// SA's state has moved; the message is processed again, from the start, when a fetch completes.
/// </summary>
internal sealed record DeferredAuth(IkeMessage Message, PendingRequest? Pending);

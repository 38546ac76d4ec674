using Petrel.Ike.Wire;

namespace Petrel.Ike.Engine;

/// <summary>
/// An IKE_AUTH message whose processing waits for a CRL fetch (or a RADIUS server's answer: <see cref="WaitingFor"/>, for
/// the log): the request we have not answered yet (responder, <see cref="Pending"/> null) or the response to our request
/// (initiator, with the request it answers). Nothing of the SA's state has moved; the message is processed again, from
/// the start, when a fetch completes (or the answer arrives).
/// </summary>
/// <remarks>
/// <see cref="Crypto"/>: a response whose task handed its key exchange, signature check or key derivation to a crypto
/// worker (<see cref="V2.TaskOutcome.Working"/>); the task continues from where it stopped when the job applies, and
/// requests from the peer are answered meanwhile.
/// </remarks>
internal sealed record DeferredAuth(IkeMessage Message, PendingRequest? Pending, string WaitingFor = "a CRL fetch", bool Crypto = false);

namespace Petrel.Ike.Engine;

/// <summary>Result of an initiate request, delivered once the IKE and CHILD SA are up or failed.</summary>
public sealed record InitiateResult(bool Success, string Message, uint IkeSaId = 0);

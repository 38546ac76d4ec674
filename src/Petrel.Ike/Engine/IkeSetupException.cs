namespace Petrel.Ike.Engine;

/// <summary>
/// A request cannot be built from the configuration (no PSK, unsupported auth method). Thrown by a
/// task's BuildRequest and turned by the engine into a failed initiate with this message.
/// </summary>
internal sealed class IkeSetupException(string message) : Exception(message);

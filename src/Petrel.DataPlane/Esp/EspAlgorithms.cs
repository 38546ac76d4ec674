using Petrel.Crypto.Primitives;

namespace Petrel.DataPlane.Esp;

/// <summary>The primitives one SA runs with, resolved from its negotiated transforms. Encryption is null for AH.</summary>
public readonly record struct EspAlgorithms(EncryptionAlgorithm? Encryption, IntegrityAlgorithm? Integrity);

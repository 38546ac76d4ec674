namespace Petrel.Crypto.Algorithms;

/// <summary>IKEv2 transform types (RFC 7296 §3.3.2, IANA "Transform Type Values").</summary>
public enum TransformType : byte
{
    Encryption = 1,
    Prf = 2,
    Integrity = 3,
    KeyExchange = 4,
    ExtendedSequenceNumbers = 5,
}

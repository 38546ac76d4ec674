namespace Petrel.Crypto.Algorithms;

/// <summary>IKEv2 transform types (RFC 7296 §3.3.2, IANA "Transform Type Values").</summary>
public enum TransformType : byte
{
    Encryption = 1,
    Prf = 2,
    Integrity = 3,
    KeyExchange = 4,
    ExtendedSequenceNumbers = 5,

    // RFC 9370 §2.2.2: up to seven additional key exchanges (e.g. ML-KEM beside a classic group).
    // Their ids are those of Transform Type 4; "NONE" (0) makes one optional.
    AdditionalKeyExchange1 = 6,
    AdditionalKeyExchange2 = 7,
    AdditionalKeyExchange3 = 8,
    AdditionalKeyExchange4 = 9,
    AdditionalKeyExchange5 = 10,
    AdditionalKeyExchange6 = 11,
    AdditionalKeyExchange7 = 12,
}

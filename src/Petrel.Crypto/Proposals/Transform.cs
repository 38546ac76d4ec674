using Petrel.Crypto.Algorithms;

namespace Petrel.Crypto.Proposals;

/// <summary>
/// One transform of a proposal as it appears on the wire: type, IANA id and, for
/// variable-length ciphers, the Key Length attribute in bits (0 when absent).
/// </summary>
public readonly record struct Transform(TransformType Type, ushort Id, ushort KeyLengthBits = 0)
{
    public override string ToString() => KeyLengthBits == 0 ? $"{Type}:{Id}" : $"{Type}:{Id}/{KeyLengthBits}";
}

using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.KeyExchange;

/// <summary>Curve25519 key exchange for IKEv2 (RFC 8031): 32-byte public values, X25519 of RFC 7748.</summary>
public sealed class Curve25519Method : KeyExchangeMethod
{
    public static readonly Curve25519Method Instance = new();

    public override ushort Id => 31;
    public override int PublicKeyLength => 32;

    public override KeyExchangeState Create(IRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return new Curve25519State(random);
    }
}

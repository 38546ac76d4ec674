using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.KeyExchange;

/// <summary>Curve448 key exchange for IKEv2 (RFC 8031): 56-byte public values, X448 of RFC 7748.</summary>
public sealed class Curve448Method : KeyExchangeMethod
{
    public static readonly Curve448Method Instance = new();

    public override ushort Id => 32;
    public override int PublicKeyLength => 56;

    public override KeyExchangeState Create(IRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var k = new byte[56];
        random.Fill(k);
        return new Curve448State(k);
    }
}

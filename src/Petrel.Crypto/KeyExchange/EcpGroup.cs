using System.Security.Cryptography;
using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.KeyExchange;

/// <summary>
/// Elliptic-curve Diffie-Hellman over a prime-field curve (RFC 5903 NIST curves, RFC 5114 §2.4-2.5,
/// RFC 6954 brainpool). KE data is X || Y, each left-padded to the field size, without the 0x04
/// prefix (RFC 5903 §7); the shared secret is the x-coordinate only (RFC 5903 §9).
/// </summary>
public sealed class EcpGroup : KeyExchangeMethod
{
    private readonly ushort _id;

    private EcpGroup(ushort id, ECCurve curve, int fieldBytes)
    {
        _id = id;
        Curve = curve;
        FieldBytes = fieldBytes;
    }

    public static readonly EcpGroup Ecp256 = new(19, ECCurve.NamedCurves.nistP256, 32);
    public static readonly EcpGroup Ecp384 = new(20, ECCurve.NamedCurves.nistP384, 48);
    public static readonly EcpGroup Ecp521 = new(21, ECCurve.NamedCurves.nistP521, 66);
    public static readonly EcpGroup Ecp192 = new(25, ECCurve.CreateFromFriendlyName("prime192v1"), 24);
    public static readonly EcpGroup Ecp224 = new(26, ECCurve.CreateFromFriendlyName("secp224r1"), 28);
    public static readonly EcpGroup Brainpool224 = new(27, ECCurve.NamedCurves.brainpoolP224r1, 28);
    public static readonly EcpGroup Brainpool256 = new(28, ECCurve.NamedCurves.brainpoolP256r1, 32);
    public static readonly EcpGroup Brainpool384 = new(29, ECCurve.NamedCurves.brainpoolP384r1, 48);
    public static readonly EcpGroup Brainpool512 = new(30, ECCurve.NamedCurves.brainpoolP512r1, 64);

    public override ushort Id => _id;
    public override int PublicKeyLength => 2 * FieldBytes;

    internal ECCurve Curve { get; }
    internal int FieldBytes { get; }

    public override KeyExchangeState Create(IRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return new EcpKeyExchangeState(this, random);
    }
}

using System.Numerics;
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
        _explicit = new Lazy<(BigInteger P, BigInteger A, BigInteger B, byte[] Order)>(() =>
        {
            using var probe = ECDiffieHellman.Create(curve);
            var c = probe.ExportExplicitParameters(false).Curve;
            return (Unsigned(c.Prime!), Unsigned(c.A!), Unsigned(c.B!), c.Order!);
        });
        _native = new Lazy<NativeEcp?>(() => NativeEcp.For(this));
    }

    private readonly Lazy<(BigInteger P, BigInteger A, BigInteger B, byte[] Order)> _explicit;
    private readonly Lazy<NativeEcp?> _native;

    /// <summary>libcrypto's point multiplication for this curve, or null when it is not there (see <see cref="NativeEcp"/>).</summary>
    internal NativeEcp? Native => _native.Value;

    /// <summary>The group order n, big-endian (the private scalar must lie in [1, n-1]).</summary>
    internal ReadOnlySpan<byte> Order => _explicit.Value.Order;

    private static BigInteger Unsigned(ReadOnlySpan<byte> bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    /// <summary>
    /// RFC 5903 §7 / SP 800-56A §5.6.2.3: the peer's point must have coordinates below p and satisfy
    /// y^2 = x^3 + ax + b (mod p). Checked here explicitly rather than trusting every provider's import,
    /// since an off-curve point lets an attacker learn the private key (invalid-curve attack).
    /// </summary>
    internal bool IsOnCurve(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        var (p, a, b, _) = _explicit.Value;
        var bx = Unsigned(x);
        var by = Unsigned(y);
        if (bx >= p || by >= p)
            return false;
        var left = BigInteger.ModPow(by, 2, p);
        var right = (BigInteger.ModPow(bx, 3, p) + a * bx + b) % p;
        return left == right;
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

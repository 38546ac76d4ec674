using System.Security.Cryptography;
using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.KeyExchange;

/// <summary>
/// One side of an ECDH exchange on an <see cref="EcpGroup"/> curve: through libcrypto's point multiplication
/// (<see cref="NativeEcp"/>) where it is there, else through the runtime's ECDiffieHellman.
/// </summary>
internal sealed class EcpKeyExchangeState : KeyExchangeState
{
    private readonly EcpGroup _group;
    private readonly NativeEcp? _native;
    /// <summary>The private scalar, big-endian and as long as the group order (native path only; zeroed on Dispose).</summary>
    private readonly byte[]? _scalar;
    private readonly ECDiffieHellman? _key;

    public EcpKeyExchangeState(EcpGroup group, IRandom random)
        : this(group, DrawScalar(group, random), group.Native)
    {
    }

    /// <summary>For known-answer tests: a fixed private scalar (big-endian, any length up to the order's).</summary>
    internal EcpKeyExchangeState(EcpGroup group, ReadOnlySpan<byte> privateKey)
        : this(group, privateKey, runtimeOnly: false)
    {
    }

    /// <summary>For tests of both paths: <paramref name="runtimeOnly"/> leaves libcrypto's point multiplication out.</summary>
    internal EcpKeyExchangeState(EcpGroup group, ReadOnlySpan<byte> privateKey, bool runtimeOnly)
        : this(group, Normalize(group, privateKey), runtimeOnly ? null : group.Native)
    {
    }

    /// <summary>Takes ownership of <paramref name="scalar"/> (zeroed here or on Dispose).</summary>
    private EcpKeyExchangeState(EcpGroup group, byte[] scalar, NativeEcp? native)
    {
        _group = group;
        var pub = new byte[group.PublicKeyLength];
        if (native is not null && native.PublicValue(scalar, pub))
        {
            _native = native;
            _scalar = scalar;
            PublicKey = pub;
            return;
        }
        try
        {
            _key = ECDiffieHellman.Create();
            _key.ImportParameters(new ECParameters { Curve = group.Curve, D = (byte[])scalar.Clone() });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalar);
        }
        var q = _key.ExportParameters(false).Q;
        q.X!.CopyTo(pub, group.FieldBytes - q.X.Length);
        q.Y!.CopyTo(pub, 2 * group.FieldBytes - q.Y.Length);
        PublicKey = pub;
    }

    public override byte[] PublicKey { get; }

    public override byte[] ComputeSharedSecret(ReadOnlySpan<byte> peerPublicKey)
    {
        int n = _group.FieldBytes;
        if (peerPublicKey.Length != 2 * n)
            throw new CryptographicException($"ECP group {_group.Id}: public value must be {2 * n} bytes, got {peerPublicKey.Length}");
        if (!_group.IsOnCurve(peerPublicKey[..n], peerPublicKey[n..]))
            throw new CryptographicException($"ECP group {_group.Id}: peer public value is not a point on the curve");
        if (_native is not null)
        {
            // RFC 5903 §9: the shared secret is the x-coordinate of the result.
            var secret = new byte[n];
            if (!_native.SharedSecret(_scalar!, peerPublicKey, secret))
                throw new CryptographicException($"ECP group {_group.Id}: peer public value is not a point on the curve");
            return secret;
        }
        var parameters = new ECParameters
        {
            Curve = _group.Curve,
            Q = new ECPoint { X = peerPublicKey[..n].ToArray(), Y = peerPublicKey[n..].ToArray() },
        };
        ECDiffieHellman peer;
        try
        {
            // Import validates that the point lies on the curve (RFC 5903 §7 requires the check;
            // without it an invalid-curve attack recovers the private key).
            peer = ECDiffieHellman.Create(parameters);
        }
        catch (CryptographicException e)
        {
            throw new CryptographicException($"ECP group {_group.Id}: peer public value is not a point on the curve", e);
        }
        using (peer)
        {
            return _key!.DeriveRawSecretAgreement(peer.PublicKey);
        }
    }

    /// <summary>
    /// The private scalar, drawn from IRandom so tests can replay exchanges. Reduced by rejection: draw order-size
    /// bytes, mask the top byte to the order's bit length, retry if &gt;= order or zero.
    /// </summary>
    private static byte[] DrawScalar(EcpGroup group, IRandom random)
    {
        var order = group.Order;
        var d = new byte[order.Length];
        int topBits = BitLength(order[0]);
        byte mask = (byte)((1 << topBits) - 1);
        while (true)
        {
            random.Fill(d);
            d[0] &= mask;
            if (!IsZero(d) && Compare(d, order) < 0)
                return d;
        }
    }

    private static byte[] Normalize(EcpGroup group, ReadOnlySpan<byte> privateKey)
    {
        int length = group.Order.Length;
        while (privateKey.Length > length && privateKey[0] == 0)
            privateKey = privateKey[1..];
        var d = new byte[length];
        privateKey.CopyTo(d.AsSpan(length - privateKey.Length));
        return d;
    }

    private static int BitLength(byte b)
    {
        int bits = 0;
        while (b != 0) { bits++; b >>= 1; }
        return bits;
    }

    private static bool IsZero(ReadOnlySpan<byte> a)
    {
        foreach (var b in a) if (b != 0) return false;
        return true;
    }

    private static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        for (int i = 0; i < a.Length; i++)
            if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
        return 0;
    }

    public override void Dispose()
    {
        if (_scalar is not null)
            CryptographicOperations.ZeroMemory(_scalar);
        _key?.Dispose();
    }
}

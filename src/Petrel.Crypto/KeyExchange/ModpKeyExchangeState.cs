using System.Security.Cryptography;
using Org.BouncyCastle.Math;
using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.KeyExchange;

/// <summary>One side of a MODP Diffie-Hellman exchange.</summary>
internal sealed class ModpKeyExchangeState : KeyExchangeState
{
    private readonly ModpGroup _group;
    private BigInteger? _x;

    public ModpKeyExchangeState(ModpGroup group, IRandom random)
    {
        _group = group;
        var bytes = new byte[(group.ExponentBits + 7) / 8];
        try
        {
            BigInteger x;
            do
            {
                random.Fill(bytes);
                x = new BigInteger(1, bytes);
                if (group.Q is { } q)
                    x = x.Mod(q);
            }
            while (x.BitLength < 2);
            _x = x;
            PublicKey = ToFixed(group.G.ModPow(x, group.P), group.PublicKeyLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public override byte[] PublicKey { get; }

    public override byte[] ComputeSharedSecret(ReadOnlySpan<byte> peerPublicKey)
    {
        var x = _x ?? throw new ObjectDisposedException(nameof(ModpKeyExchangeState));
        var p = _group.P;
        if (peerPublicKey.Length != _group.PublicKeyLength)
            throw new CryptographicException($"MODP group {_group.Id}: public value must be {_group.PublicKeyLength} bytes, got {peerPublicKey.Length}");
        var y = new BigInteger(1, peerPublicKey.ToArray());
        // RFC 6989 §2.1: reject 0, 1 and p-1 (and anything not below p); they force a known secret.
        if (y.CompareTo(BigInteger.One) <= 0 || y.CompareTo(p.Subtract(BigInteger.One)) >= 0)
            throw new CryptographicException($"MODP group {_group.Id}: peer public value out of range (must be 1 < y < p-1)");
        // RFC 6989 §2.2: for RFC 5114 groups also check the value lies in the prime-order subgroup.
        if (_group.Q is { } q && !y.ModPow(q, p).Equals(BigInteger.One))
            throw new CryptographicException($"MODP group {_group.Id}: peer public value is not in the prime-order subgroup");
        return ToFixed(y.ModPow(x, p), _group.PublicKeyLength);
    }

    private static byte[] ToFixed(BigInteger value, int length)
    {
        var raw = value.ToByteArrayUnsigned();
        if (raw.Length == length) return raw;
        var fixedBytes = new byte[length];
        raw.CopyTo(fixedBytes, length - raw.Length);
        CryptographicOperations.ZeroMemory(raw);
        return fixedBytes;
    }

    public override void Dispose()
    {
        // BigInteger is immutable; dropping the reference is the most this runtime allows.
        _x = null;
    }
}

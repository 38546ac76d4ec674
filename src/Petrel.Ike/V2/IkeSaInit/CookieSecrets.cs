using System.Net;
using System.Security.Cryptography;

namespace Petrel.Ike.V2.IkeSaInit;

/// <summary>
/// RFC 7296 §2.6 COOKIEs: <c>&lt;VersionIDofSecret&gt; | Hash(Ni | IPi | SPIi | &lt;secret&gt;)</c>, here HMAC-SHA-256 keyed
/// with the secret. The secret is replaced every <see cref="IkeSaInitResponder.CookieSecretLifetime"/>, so a cookie
/// cannot be collected once and replayed for ever; a cookie made with the previous secret is still accepted
/// (its version byte says which), so an initiator whose first answer straddles a change is not refused.
/// </summary>
internal sealed class CookieSecrets(IIkeContext context)
{
    private const int Length = 1 + 32;
    private byte[] _current = context.RandomBytes(32);
    private byte[]? _previous;
    private byte _version = 1;
    private TimeSpan _changeAt = context.Clock.Now + IkeSaInitResponder.CookieSecretLifetime;

    public byte[] Make(ReadOnlySpan<byte> ni, IPEndPoint remote, ulong spiI)
    {
        Rotate();
        var cookie = new byte[Length];
        cookie[0] = _version;
        Mac(_current, ni, remote, spiI, cookie.AsSpan(1));
        return cookie;
    }

    public bool Verify(ReadOnlySpan<byte> offered, ReadOnlySpan<byte> ni, IPEndPoint remote, ulong spiI)
    {
        Rotate();
        if (offered.Length != Length) return false;
        byte[]? secret = offered[0] == _version ? _current : offered[0] == (byte)(_version - 1) ? _previous : null;
        if (secret is null) return false;
        Span<byte> expected = stackalloc byte[Length - 1];
        Mac(secret, ni, remote, spiI, expected);
        return CryptographicOperations.FixedTimeEquals(offered[1..], expected);
    }

    private void Rotate()
    {
        var now = context.Clock.Now;
        if (now < _changeAt) return;
        // More than one lifetime without a COOKIE: the old secret is too old to honour as well.
        _previous = now < _changeAt + IkeSaInitResponder.CookieSecretLifetime ? _current : null;
        _current = context.RandomBytes(32);
        _version++;
        _changeAt = now + IkeSaInitResponder.CookieSecretLifetime;
    }

    private static void Mac(byte[] secret, ReadOnlySpan<byte> ni, IPEndPoint remote, ulong spiI, Span<byte> destination)
    {
        Span<byte> data = stackalloc byte[ni.Length + 16 + 8];
        ni.CopyTo(data);
        data.Slice(ni.Length, 16).Clear();
        remote.Address.TryWriteBytes(data.Slice(ni.Length, 16), out _);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(data[(ni.Length + 16)..], spiI);
        HMACSHA256.HashData(secret, data, destination);
    }
}

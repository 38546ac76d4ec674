using System.Security.Cryptography;
using Petrel.Crypto.Primitives;

namespace Petrel.DataPlane.Esp;

/// <summary>
/// One set of keyed contexts of an SA. Cipher and MAC contexts keep native state and are not
/// thread-safe, so an SA that several packet threads work on at once (one pipeline per core)
/// holds one lane per thread: each thread seals or opens under its own lane's <see cref="Gate"/>,
/// which no other thread normally takes, and the SA's removal takes every lane's gate before it
/// disposes the contexts and zeroes the keys.
/// </summary>
internal sealed class SaLane(ICipherContext? cipher, IIntegrityContext? integrity) : IDisposable
{
    /// <summary>Held while a packet uses this lane's contexts and while they are disposed.</summary>
    public Lock Gate { get; } = new();

    /// <summary>Null for AH SAs only.</summary>
    public ICipherContext? Cipher { get; } = cipher;

    public IIntegrityContext? Integrity { get; } = integrity;

    // Random IVs (RFC 3602 §2.1: unpredictable for CBC) drawn from the system CSPRNG a page at a
    // time. One draw per packet cost a native call and a getpid(2) (OpenSSL's fork check) each,
    // ~10 % of a sending thread in a profile; the bytes stay as unpredictable to anyone else.
    private byte[]? _ivPool;
    private int _ivUsed;

    /// <summary>Fills <paramref name="iv"/> with fresh random bytes; call under <see cref="Gate"/>.</summary>
    public void FillRandomIv(Span<byte> iv)
    {
        const int PoolBytes = 4096;
        if (_ivPool is null || _ivUsed + iv.Length > PoolBytes)
        {
            _ivPool ??= new byte[PoolBytes];
            RandomNumberGenerator.Fill(_ivPool);
            _ivUsed = 0;
        }
        var bytes = _ivPool.AsSpan(_ivUsed, iv.Length);
        bytes.CopyTo(iv);
        bytes.Clear(); // each byte is handed out once, and none stays behind in memory
        _ivUsed += iv.Length;
    }

    public void Dispose()
    {
        Cipher?.Dispose();
        Integrity?.Dispose();
        if (_ivPool is not null)
            CryptographicOperations.ZeroMemory(_ivPool);
    }
}

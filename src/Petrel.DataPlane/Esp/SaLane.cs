using System.Security.Cryptography;
using Petrel.Crypto.Primitives;

namespace Petrel.DataPlane.Esp;

/// <summary>
/// One set of keyed contexts of an SA. Cipher and MAC contexts keep native state and are not
/// thread-safe, so an SA that several packet threads work on at once (one pipeline per core)
/// holds one lane per thread: each thread seals or opens under its own lane's <see cref="Gate"/>,
/// which no other thread normally takes, and the SA's removal takes every lane's gate before it
/// disposes the contexts and zeroes the keys. The contexts are keyed on the lane's first packet: a
/// keyed AES-GCM context holds ~2.7 kB of OpenSSL memory, and a gateway's SAs are many, mostly idle,
/// and used by fewer threads than they have lanes.
/// </summary>
internal sealed class SaLane(Func<ICipherContext>? cipher, Func<IIntegrityContext>? integrity) : IDisposable
{
    private readonly Lock _keying = new();
    private ICipherContext? _cipher;
    private IIntegrityContext? _integrity;
    private bool _disposed;

    /// <summary>Held while a packet uses this lane's contexts and while they are disposed.</summary>
    public Lock Gate { get; } = new();

    /// <summary>Null for AH SAs only.</summary>
    public ICipherContext? Cipher => _cipher ?? (cipher is null ? null : Key(ref _cipher, cipher));

    public IIntegrityContext? Integrity => _integrity ?? (integrity is null ? null : Key(ref _integrity, integrity));

    private T Key<T>(ref T? slot, Func<T> create) where T : class, IDisposable
    {
        lock (_keying)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return slot ??= create();
        }
    }

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
        lock (_keying)
        {
            _disposed = true;
            _cipher?.Dispose();
            _integrity?.Dispose();
        }
        if (_ivPool is not null)
            CryptographicOperations.ZeroMemory(_ivPool);
    }
}

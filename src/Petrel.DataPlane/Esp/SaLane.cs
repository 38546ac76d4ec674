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

    public void Dispose()
    {
        Cipher?.Dispose();
        Integrity?.Dispose();
    }
}

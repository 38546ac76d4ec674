namespace Petrel.DataPlane.Kernel;

/// <summary>
/// The one small interface between IKE and the data plane (like XFRM is for the Linux kernel):
/// SAs and policies in, counters and acquires out. Implementations are thread-safe.
/// </summary>
public interface IIpsecKernel
{
    /// <summary>Allocates an inbound SPI unique within this data plane (never 0..255, RFC 4303 §2.1).</summary>
    uint AllocateSpi();

    void InstallSa(SaSpec sa);

    /// <summary>Removes an SA and zeroes its keys. Unknown SPIs are ignored.</summary>
    void RemoveSa(uint spi, SaDirection direction);

    void InstallPolicy(PolicySpec policy);

    void RemovePolicy(uint reqId);

    bool TryGetCounters(uint spi, SaDirection direction, out SaCounters counters);

    event Action<AcquireEvent>? Acquire;

    /// <summary>An outbound SA without ESN nears the end of its sequence numbers: rekey it (like XFRM's soft expire).</summary>
    event Action<SequenceExhaustionEvent>? SequenceExhaustion;
}

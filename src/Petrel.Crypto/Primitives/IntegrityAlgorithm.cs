namespace Petrel.Crypto.Primitives;

/// <summary>An integrity (MAC) transform for IKE or ESP/AH, e.g. HMAC-SHA2-256-128.</summary>
public abstract class IntegrityAlgorithm
{
    /// <summary>Key length in bytes.</summary>
    public abstract int KeyLength { get; }

    /// <summary>Length of the (truncated) ICV in bytes.</summary>
    public abstract int IcvLength { get; }

    /// <summary>A keyed context; reused for every packet of one SA.</summary>
    public abstract IIntegrityContext CreateContext(ReadOnlySpan<byte> key);
}

/// <summary>A keyed MAC. Implementations must not allocate per call.</summary>
public interface IIntegrityContext : IDisposable
{
    int IcvLength { get; }

    /// <summary>Writes the truncated ICV (IcvLength bytes) of data.</summary>
    void Compute(ReadOnlySpan<byte> data, Span<byte> icv);

    /// <summary>Constant-time comparison of the ICV of data with icv.</summary>
    bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> icv);
}

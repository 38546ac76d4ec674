namespace Petrel.Crypto.Primitives;

/// <summary>A pseudo-random function negotiated for IKE (RFC 7296 §2.13). Not on the hot path.</summary>
public abstract class PrfAlgorithm
{
    /// <summary>Output length in bytes.</summary>
    public abstract int OutputLength { get; }

    /// <summary>Preferred key length in bytes (the length of SK_d, SK_pi, SK_pr). For HMAC PRFs this is the output length; for AES-XCBC/CMAC 16.</summary>
    public abstract int KeyLength { get; }

    /// <summary>prf(key, data) into output (exactly OutputLength bytes). Handles any key length as its RFC says (RFC 4434 for XCBC).</summary>
    public abstract void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output);

    public byte[] Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        var output = new byte[OutputLength];
        Compute(key, data, output);
        return output;
    }
}

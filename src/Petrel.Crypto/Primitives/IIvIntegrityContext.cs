namespace Petrel.Crypto.Primitives;

/// <summary>
/// An integrity context whose ICV field begins with a per-packet IV chosen by the sender (AH with AES-GMAC,
/// RFC 4543 §4). <see cref="IIntegrityContext.Compute"/> and <see cref="IIntegrityContext.Verify"/> read the
/// IV from the first <see cref="IvLength"/> bytes of the icv argument: the sender writes a fresh IV there
/// before computing, the receiver passes the field as received.
/// </summary>
public interface IIvIntegrityContext : IIntegrityContext
{
    int IvLength { get; }
}

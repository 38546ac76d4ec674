namespace Petrel.DataPlane.Esp;

/// <summary>Why the data plane dropped a packet. Expected failures are counted, never thrown.</summary>
public enum DropReason : byte
{
    None = 0,

    /// <summary>Shorter than the ESP header, IV, trailer and ICV need, or not a whole number of cipher blocks.</summary>
    Truncated,

    /// <summary>No inbound SA has this SPI (RFC 4303 §3.4.2: drop, and audit).</summary>
    UnknownSpi,

    /// <summary>Sequence number duplicate or left of the window (RFC 4303 §3.4.3).</summary>
    Replay,

    /// <summary>ICV (or AEAD tag) did not verify (RFC 4303 §3.4.4).</summary>
    IntegrityFailure,

    /// <summary>Pad Length beyond the payload, or padding bytes not 1, 2, 3, … (RFC 4303 §2.4).</summary>
    BadPadding,

    /// <summary>Next Header not IPv4 (4) or IPv6 (41) in tunnel mode, or the inner header disagrees with it.</summary>
    BadNextHeader,

    /// <summary>The decrypted inner packet does not match the SA's policy (RFC 4301 §5.2 step 4).</summary>
    PolicyMismatch,

    /// <summary>Outbound packet matched no policy.</summary>
    NoPolicy,

    /// <summary>Matched a discard policy (or a bypass policy, which has no path out of the tunnel device).</summary>
    PolicyDiscard,

    /// <summary>Matched a protect policy without an outbound SA yet; an acquire was raised.</summary>
    NoSa,

    /// <summary>The 32-bit sequence counter is exhausted; the SA must be rekeyed (RFC 4303 §3.3.3).</summary>
    SequenceOverflow,

    /// <summary>Not a parseable IPv4/IPv6 packet.</summary>
    Malformed,

    /// <summary>The packet plus ESP overhead does not fit the buffer.</summary>
    TooBig,

    /// <summary>TFC dummy packet, Next Header 59 (RFC 4303 §2.6): discarded silently, not an error.</summary>
    Dummy,

    /// <summary>The SA was removed while the packet was in flight.</summary>
    SaRemoved,

    /// <summary>The outer transport (socket, tunnel device) refused the packet.</summary>
    SendFailed,

    /// <summary>
    /// Too big for the SA's path MTU with Don't Fragment set (always for IPv6): answered with ICMP
    /// Fragmentation Needed / Packet Too Big (RFC 4301 §8.2.1, RFC 1191, RFC 8201).
    /// </summary>
    FragmentationNeeded,

    /// <summary>
    /// Dropped by the operating system before Petrel read it, because Petrel was behind: the
    /// UDP/raw socket's receive buffer was full (SO_RXQ_OVFL). The cheapest place to drop under
    /// overload: no CPU was spent on the packet in userspace.
    /// </summary>
    ReceiveQueueFull,

    /// <summary>
    /// Dropped by the operating system before Petrel read it, because Petrel was behind: the TUN
    /// device's transmit queue (txqueuelen) was full (the device's tx_dropped counter).
    /// </summary>
    TunQueueFull,
}

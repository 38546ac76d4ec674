using System.Net;
using Petrel.Crypto.Proposals;

namespace Petrel.DataPlane.Kernel;

/// <summary>
/// Everything the data plane needs to run one unidirectional IPsec SA (RFC 4301 §4.4.2).
/// Key arrays are owned by the data plane after install and zeroed when the SA is removed.
/// </summary>
public sealed class SaSpec
{
    public required uint Spi { get; init; }
    public required SaDirection Direction { get; init; }
    public IpsecProtocol Protocol { get; init; } = IpsecProtocol.Esp;
    public IpsecMode Mode { get; init; } = IpsecMode.Tunnel;

    /// <summary>Outer source (our address for outbound). Port is the UDP encapsulation port when <see cref="UdpEncapsulation"/>.</summary>
    public required IPEndPoint Source { get; init; }

    /// <summary>Outer destination. Port is the UDP encapsulation port when <see cref="UdpEncapsulation"/>.</summary>
    public required IPEndPoint Destination { get; init; }

    /// <summary>RFC 3948 ESP-in-UDP.</summary>
    public bool UdpEncapsulation { get; init; }

    /// <summary>
    /// Inbound transport mode in UDP (RFC 3948 §3.1.2, RFC 7296 §2.23.1): the addresses the peer's
    /// host used for its TCP/UDP checksums, i.e. its own address before a NAT and ours as it sees
    /// it (from the traffic selectors). Null when IKE did not learn one: the checksums are then
    /// recomputed. See <see cref="Esp.TransportNatChecksum"/>.
    /// </summary>
    public IPAddress? OriginalSource { get; init; }

    /// <inheritdoc cref="OriginalSource"/>
    public IPAddress? OriginalDestination { get; init; }

    public required Transform Encryption { get; init; }
    public required byte[] EncryptionKey { get; init; }

    /// <summary>Absent (null) for AEAD ciphers.</summary>
    public Transform? Integrity { get; init; }
    public byte[] IntegrityKey { get; init; } = [];

    public bool ExtendedSequenceNumbers { get; init; }

    /// <summary>The largest anti-replay window the data plane keeps, in packets.</summary>
    public const int MaxReplayWindow = Esp.ReplayWindow.MaxSize;

    /// <summary>Anti-replay window in packets (0 disables replay protection, at most <see cref="MaxReplayWindow"/>). Inbound only.</summary>
    public int ReplayWindow { get; init; } = 128;

    /// <summary>
    /// RFC 4303 §2.7 TFC padding of outbound tunnel-mode ESP payloads (strongSwan's child
    /// tfc_padding): 0 off, a byte count to pad inner packets up to, or <see cref="TfcPaddingMtu"/>
    /// to pad up to the largest inner packet the path MTU allows.
    /// </summary>
    public int TfcPadding { get; init; }

    public const int TfcPaddingMtu = -1;

    /// <summary>Links the SA pair and its policies.</summary>
    public required uint ReqId { get; init; }
}

namespace Petrel.DataPlane.Pipeline;

/// <summary>What a datagram on the NAT-T port (4500) carries (RFC 3948 §2).</summary>
public enum UdpDatagramKind : byte
{
    /// <summary>Empty, or too short to be any of the below.</summary>
    Invalid,

    /// <summary>Starts with the four-byte non-ESP marker: an IKE message follows (RFC 3948 §2.2).</summary>
    Ike,

    /// <summary>The single byte 0xFF (RFC 3948 §2.3): ignored.</summary>
    NatKeepalive,

    /// <summary>Anything else starts with a non-zero SPI: ESP (RFC 3948 §2.1).</summary>
    Esp,
}

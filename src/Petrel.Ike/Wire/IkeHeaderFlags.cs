namespace Petrel.Ike.Wire;

/// <summary>Flags octet of the IKE header (RFC 7296 §3.1). Bits are numbered from the least significant.</summary>
[Flags]
public enum IkeHeaderFlags : byte
{
    None = 0,
    /// <summary>Bit 3: set by the original initiator of the IKE SA.</summary>
    Initiator = 0x08,
    /// <summary>Bit 4: "I can speak a higher major version" — never set by IKEv2 implementations.</summary>
    Version = 0x10,
    /// <summary>Bit 5: this message is a response.</summary>
    Response = 0x20,
}

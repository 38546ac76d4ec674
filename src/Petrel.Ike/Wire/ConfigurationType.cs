namespace Petrel.Ike.Wire;

/// <summary>CFG Type of the Configuration payload (RFC 7296 §3.15).</summary>
public enum ConfigurationType : byte
{
    Request = 1,
    Reply = 2,
    Set = 3,
    Ack = 4,
}

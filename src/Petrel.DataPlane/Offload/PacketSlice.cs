namespace Petrel.DataPlane.Offload;

/// <summary>A packet (or part of one) at buffer[Offset..Offset+Length] of a buffer the caller names.</summary>
public readonly record struct PacketSlice(int Offset, int Length);

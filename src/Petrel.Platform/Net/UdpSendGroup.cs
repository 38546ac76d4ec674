namespace Petrel.Platform.Net;

/// <summary>
/// One message of <see cref="UdpEndpoint.SendGroups"/>: Segments datagrams packed at
/// buffer[Offset..Offset+Length], each SegmentSize bytes except a shorter last one (UDP GSO);
/// Segments 1 is a single datagram.
/// </summary>
public readonly record struct UdpSendGroup(int Offset, int Length, int SegmentSize, int Segments);

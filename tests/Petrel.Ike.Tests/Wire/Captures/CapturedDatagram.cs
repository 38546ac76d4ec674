using System.Net;

namespace Petrel.Ike.Tests.Wire.Captures;

/// <summary>One UDP datagram from a capture file: 1-based frame number, endpoints and payload.</summary>
internal sealed record CapturedDatagram(int Frame, IPEndPoint Source, IPEndPoint Destination, byte[] Payload);

using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace Petrel.Ike.Wire;

/// <summary>
/// NAT_DETECTION_SOURCE_IP / NAT_DETECTION_DESTINATION_IP data (RFC 7296 §2.23):
/// SHA-1(SPIi | SPIr | IP | Port), with the responder SPI zero in the IKE_SA_INIT request.
/// </summary>
public static class NatDetection
{
    public const int HashLength = 20;

    public static void ComputeHash(ulong initiatorSpi, ulong responderSpi, IPEndPoint endpoint, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[8 + 8 + 16 + 2];
        BinaryPrimitives.WriteUInt64BigEndian(input, initiatorSpi);
        BinaryPrimitives.WriteUInt64BigEndian(input[8..], responderSpi);
        endpoint.Address.TryWriteBytes(input[16..], out int addressLength);
        BinaryPrimitives.WriteUInt16BigEndian(input[(16 + addressLength)..], (ushort)endpoint.Port);
        SHA1.HashData(input[..(16 + addressLength + 2)], destination);
    }

    public static byte[] ComputeHash(ulong initiatorSpi, ulong responderSpi, IPEndPoint endpoint)
    {
        var hash = new byte[HashLength];
        ComputeHash(initiatorSpi, responderSpi, endpoint, hash);
        return hash;
    }

    /// <summary>Whether notification data matches the hash for endpoint (false means a NAT changed it).</summary>
    public static bool Matches(ReadOnlySpan<byte> data, ulong initiatorSpi, ulong responderSpi, IPEndPoint endpoint)
    {
        Span<byte> hash = stackalloc byte[HashLength];
        ComputeHash(initiatorSpi, responderSpi, endpoint, hash);
        return data.SequenceEqual(hash);
    }
}

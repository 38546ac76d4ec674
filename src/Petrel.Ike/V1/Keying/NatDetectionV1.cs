using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace Petrel.Ike.V1.Keying;

/// <summary>RFC 3947 §3.2 NAT-D: HASH(CKY-I | CKY-R | IP | Port) with the negotiated hash.</summary>
public static class NatDetectionV1
{
    public static byte[] Hash(HashAlgorithmName hash, ulong cookieI, ulong cookieR, IPEndPoint endpoint)
    {
        var address = endpoint.Address.GetAddressBytes();
        var input = new byte[16 + address.Length + 2];
        BinaryPrimitives.WriteUInt64BigEndian(input, cookieI);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(8), cookieR);
        address.CopyTo(input, 16);
        BinaryPrimitives.WriteUInt16BigEndian(input.AsSpan(16 + address.Length), (ushort)endpoint.Port);
        return CryptographicOperations.HashData(hash, input);
    }
}

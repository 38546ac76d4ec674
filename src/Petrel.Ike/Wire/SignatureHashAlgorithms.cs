using System.Buffers.Binary;

namespace Petrel.Ike.Wire;

/// <summary>
/// Notification data of SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4): a list of 16-bit hash algorithm identifiers.
/// </summary>
public static class SignatureHashAlgorithms
{
    public static byte[] Encode(IReadOnlyList<HashAlgorithmId> algorithms)
    {
        var data = new byte[2 * algorithms.Count];
        for (int i = 0; i < algorithms.Count; i++)
            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(2 * i), (ushort)algorithms[i]);
        return data;
    }

    /// <summary>Unknown identifiers are kept (as numbers) so the caller can ignore them; an odd length is an error.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, out List<HashAlgorithmId> algorithms, out string error)
    {
        algorithms = [];
        if (data.Length % 2 != 0)
        {
            error = $"SIGNATURE_HASH_ALGORITHMS data of {data.Length} bytes is not a list of 16-bit values";
            return false;
        }
        for (int i = 0; i < data.Length; i += 2)
            algorithms.Add((HashAlgorithmId)BinaryPrimitives.ReadUInt16BigEndian(data[i..]));
        error = "";
        return true;
    }
}

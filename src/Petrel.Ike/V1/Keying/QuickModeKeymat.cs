using System.Buffers.Binary;
using Petrel.Crypto.Primitives;

namespace Petrel.Ike.V1.Keying;

/// <summary>
/// RFC 2409 §5.5 KEYMAT for one direction of a Quick Mode SA: prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b),
/// extended K1 | K2 | … with Kn+1 = prf(SKEYID_d, Kn | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b). The SPI is the one
/// the receiving side chose, so each side's inbound SA is keyed from its own SPI. Encryption key first, then
/// the integrity key.
/// </summary>
public static class QuickModeKeymat
{
    public static byte[] Derive(PrfAlgorithm prf, ReadOnlySpan<byte> skeyidD, ReadOnlySpan<byte> pfsSecret, byte protocol, uint spi,
        ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr, int length)
    {
        var spiBytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(spiBytes, spi);
        byte[] seed = [.. pfsSecret, protocol, .. spiBytes, .. ni, .. nr];
        var keymat = new List<byte>(length + prf.OutputLength);
        byte[] k = prf.Compute(skeyidD, seed);
        keymat.AddRange(k);
        while (keymat.Count < length)
        {
            k = prf.Compute(skeyidD, [.. k, .. seed]);
            keymat.AddRange(k);
        }
        return keymat.GetRange(0, length).ToArray();
    }
}

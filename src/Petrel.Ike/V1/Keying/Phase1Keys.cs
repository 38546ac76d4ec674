using System.Buffers.Binary;
using System.Security.Cryptography;
using Petrel.Crypto.Primitives;

namespace Petrel.Ike.V1.Keying;

/// <summary>
/// RFC 2409 §5 key schedule: SKEYID (pre-shared key: prf(PSK, Ni_b | Nr_b); signatures: prf(Ni_b | Nr_b, g^xy)),
/// then SKEYID_d, SKEYID_a, SKEYID_e, each prf(SKEYID, previous | g^xy | CKY-I | CKY-R | 0/1/2), and the cipher key
/// taken from SKEYID_e, stretched per Appendix B when SKEYID_e is shorter than the key.
/// </summary>
public sealed class Phase1Keys : IDisposable
{
    private Phase1Keys(byte[] skeyid, byte[] d, byte[] a, byte[] e, byte[] encryptionKey)
    {
        Skeyid = skeyid;
        SkeyidD = d;
        SkeyidA = a;
        SkeyidE = e;
        EncryptionKey = encryptionKey;
    }

    public byte[] Skeyid { get; }
    public byte[] SkeyidD { get; }
    public byte[] SkeyidA { get; }
    public byte[] SkeyidE { get; }
    /// <summary>The key ISAKMP messages are encrypted with (what Wireshark's ikev1_decryption_table takes).</summary>
    public byte[] EncryptionKey { get; }

    public static byte[] SkeyidPsk(PrfAlgorithm prf, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr) =>
        prf.Compute(psk, [.. ni, .. nr]);

    public static byte[] SkeyidSignature(PrfAlgorithm prf, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr, ReadOnlySpan<byte> sharedSecret) =>
        prf.Compute([.. ni, .. nr], sharedSecret);

    public static Phase1Keys Derive(PrfAlgorithm prf, byte[] skeyid, ReadOnlySpan<byte> sharedSecret, ulong cookieI, ulong cookieR, int encryptionKeyLength)
    {
        Span<byte> cookies = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(cookies, cookieI);
        BinaryPrimitives.WriteUInt64BigEndian(cookies[8..], cookieR);
        var d = prf.Compute(skeyid, [.. sharedSecret, .. cookies, 0]);
        var a = prf.Compute(skeyid, [.. d, .. sharedSecret, .. cookies, 1]);
        var e = prf.Compute(skeyid, [.. a, .. sharedSecret, .. cookies, 2]);
        return new Phase1Keys(skeyid, d, a, e, CipherKey(prf, e, encryptionKeyLength));
    }

    /// <summary>Appendix B: SKEYID_e itself when long enough, else K1 | K2 | … with K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1).</summary>
    public static byte[] CipherKey(PrfAlgorithm prf, byte[] skeyidE, int length)
    {
        if (skeyidE.Length >= length) return skeyidE.AsSpan(0, length).ToArray();
        var key = new List<byte>(length + prf.OutputLength);
        byte[] k = prf.Compute(skeyidE, [0]);
        key.AddRange(k);
        while (key.Count < length)
        {
            k = prf.Compute(skeyidE, k);
            key.AddRange(k);
        }
        return key.GetRange(0, length).ToArray();
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(Skeyid);
        CryptographicOperations.ZeroMemory(SkeyidD);
        CryptographicOperations.ZeroMemory(SkeyidA);
        CryptographicOperations.ZeroMemory(SkeyidE);
        CryptographicOperations.ZeroMemory(EncryptionKey);
    }
}

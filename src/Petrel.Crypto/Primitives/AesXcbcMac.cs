using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// AES-XCBC-MAC (RFC 3566 §4) built on AES-ECB from the runtime. Derives K1 = E(K, 0x01^16),
/// K2 = E(K, 0x02^16), K3 = E(K, 0x03^16) once; each MAC is then a CBC-MAC under K1 with K2 or K3
/// folded into the last block. Allocation-free per message. Not thread-safe.
/// </summary>
internal sealed class AesXcbcMac : IDisposable
{
    private readonly Aes _k1;
    private readonly byte[] _k2 = new byte[16];
    private readonly byte[] _k3 = new byte[16];

    public AesXcbcMac(ReadOnlySpan<byte> key)
    {
        if (key.Length != 16)
            throw new ArgumentException("AES-XCBC key must be 16 bytes", nameof(key));
        using var k = Aes.Create();
        k.Key = key.ToArray();
        Span<byte> constant = stackalloc byte[16];
        Span<byte> k1 = stackalloc byte[16];
        constant.Fill(0x01);
        k.EncryptEcb(constant, k1, PaddingMode.None);
        constant.Fill(0x02);
        k.EncryptEcb(constant, _k2, PaddingMode.None);
        constant.Fill(0x03);
        k.EncryptEcb(constant, _k3, PaddingMode.None);
        _k1 = Aes.Create();
        _k1.Key = k1.ToArray();
        CryptographicOperations.ZeroMemory(k1);
    }

    /// <summary>Writes the full 16-byte MAC of data.</summary>
    public void Compute(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        Span<byte> e = stackalloc byte[16]; // E[i-1], starting at 0^16
        e.Clear();
        int off = 0;
        // RFC 3566 §4 steps 3-4: all blocks but the last go through plain CBC.
        while (data.Length - off > 16)
        {
            for (int i = 0; i < 16; i++)
                e[i] ^= data[off + i];
            _k1.EncryptEcb(e, e, PaddingMode.None);
            off += 16;
        }
        int rest = data.Length - off;
        if (rest == 16)
        {
            // Complete last block: XOR with K2.
            for (int i = 0; i < 16; i++)
                e[i] ^= (byte)(data[off + i] ^ _k2[i]);
        }
        else
        {
            // Incomplete (or empty) last block: pad with 0x80 00..., XOR with K3.
            for (int i = 0; i < 16; i++)
            {
                byte m = i < rest ? data[off + i] : i == rest ? (byte)0x80 : (byte)0;
                e[i] ^= (byte)(m ^ _k3[i]);
            }
        }
        _k1.EncryptEcb(e, mac[..16], PaddingMode.None);
    }

    public void Dispose()
    {
        _k1.Dispose();
        CryptographicOperations.ZeroMemory(_k2);
        CryptographicOperations.ZeroMemory(_k3);
    }
}

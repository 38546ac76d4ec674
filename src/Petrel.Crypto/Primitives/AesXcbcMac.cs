using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// AES-XCBC-MAC (RFC 3566 §4) built on AES from the runtime. Derives K1 = E(K, 0x01^16),
/// K2 = E(K, 0x02^16), K3 = E(K, 0x03^16) once; each MAC is then a CBC-MAC under K1 with K2 or K3
/// folded into the last block. Allocation-free per message. Not thread-safe.
/// </summary>
internal sealed class AesXcbcMac : IDisposable
{
    private readonly PersistentAes _k1;
    private readonly byte[] _k2 = new byte[16];
    private readonly byte[] _k3 = new byte[16];

    public AesXcbcMac(ReadOnlySpan<byte> key)
    {
        if (key.Length != 16)
            throw new ArgumentException("AES-XCBC key must be 16 bytes", nameof(key));
        Span<byte> k1 = stackalloc byte[16];
        using (var k = new PersistentAes(key))
        {
            Span<byte> constants = stackalloc byte[48];
            constants[..16].Fill(0x01);
            constants[16..32].Fill(0x02);
            constants[32..].Fill(0x03);
            k.EncryptEcb(constants, constants);
            constants[..16].CopyTo(k1);
            constants[16..32].CopyTo(_k2);
            constants[32..].CopyTo(_k3);
            CryptographicOperations.ZeroMemory(constants);
        }
        _k1 = new PersistentAes(k1);
        CryptographicOperations.ZeroMemory(k1);
    }

    /// <summary>Writes the full 16-byte MAC of data.</summary>
    public void Compute(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        // RFC 3566 §4 steps 3-4: all blocks but the last go through plain CBC under K1.
        int whole = data.Length == 0 ? 0 : (data.Length - 1) / 16 * 16;
        Span<byte> e = stackalloc byte[16];
        _k1.CbcMac(data[..whole], e);
        int rest = data.Length - whole;
        if (rest == 16)
        {
            // Complete last block: XOR with K2.
            for (int i = 0; i < 16; i++)
                e[i] ^= (byte)(data[whole + i] ^ _k2[i]);
        }
        else
        {
            // Incomplete (or empty) last block: pad with 0x80 00..., XOR with K3.
            for (int i = 0; i < 16; i++)
            {
                byte m = i < rest ? data[whole + i] : i == rest ? (byte)0x80 : (byte)0;
                e[i] ^= (byte)(m ^ _k3[i]);
            }
        }
        _k1.EncryptEcb(e, mac[..16]);
    }

    public void Dispose()
    {
        _k1.Dispose();
        CryptographicOperations.ZeroMemory(_k2);
        CryptographicOperations.ZeroMemory(_k3);
    }
}

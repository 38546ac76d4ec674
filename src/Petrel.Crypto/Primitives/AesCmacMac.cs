using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// AES-CMAC (RFC 4493 §2) built on AES from the runtime: subkeys K1, K2 by doubling L = E(K, 0^16)
/// in GF(2^128), then CBC-MAC with K1 or K2 folded into the last block. Allocation-free per message.
/// Not thread-safe.
/// </summary>
internal sealed class AesCmacMac : IDisposable
{
    private readonly PersistentAes _aes;
    private readonly byte[] _k1 = new byte[16];
    private readonly byte[] _k2 = new byte[16];

    public AesCmacMac(ReadOnlySpan<byte> key)
    {
        if (key.Length != 16)
            throw new ArgumentException("AES-CMAC key must be 16 bytes", nameof(key));
        _aes = new PersistentAes(key);
        Span<byte> l = stackalloc byte[16];
        l.Clear();
        _aes.EncryptEcb(l, l);
        Double(l, _k1);
        Double(_k1, _k2);
        CryptographicOperations.ZeroMemory(l);
    }

    /// <summary>RFC 4493 §2.3: shift left one bit; if the top bit was set, XOR Rb = 0x87 into the last byte.</summary>
    private static void Double(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int carry = 0;
        for (int i = 15; i >= 0; i--)
        {
            int b = input[i];
            output[i] = (byte)((b << 1) | carry);
            carry = b >> 7;
        }
        if ((input[0] & 0x80) != 0)
            output[15] ^= 0x87;
    }

    /// <summary>Writes the full 16-byte MAC of data.</summary>
    public void Compute(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        int whole = data.Length == 0 ? 0 : (data.Length - 1) / 16 * 16;
        Span<byte> x = stackalloc byte[16];
        _aes.CbcMac(data[..whole], x);
        int rest = data.Length - whole;
        if (rest == 16)
        {
            for (int i = 0; i < 16; i++)
                x[i] ^= (byte)(data[whole + i] ^ _k1[i]);
        }
        else
        {
            // RFC 4493 §2.4 step 4: pad with 10^i and use K2 (also for the empty message).
            for (int i = 0; i < 16; i++)
            {
                byte m = i < rest ? data[whole + i] : i == rest ? (byte)0x80 : (byte)0;
                x[i] ^= (byte)(m ^ _k2[i]);
            }
        }
        _aes.EncryptEcb(x, mac[..16]);
    }

    public void Dispose()
    {
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_k1);
        CryptographicOperations.ZeroMemory(_k2);
    }
}

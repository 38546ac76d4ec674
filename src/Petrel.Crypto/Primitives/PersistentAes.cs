using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>
/// A keyed AES whose native cipher contexts live as long as the SA. The runtime's one-shot
/// <see cref="SymmetricAlgorithm.EncryptCbc(ReadOnlySpan{byte}, ReadOnlySpan{byte}, PaddingMode)"/>
/// family creates a native context per call (64 bytes of managed garbage each time); the
/// <see cref="ICryptoTransform"/>s kept here do not. A CBC transform carries its chaining block
/// from one call to the next, so each call folds the difference between that carried block and the
/// wanted IV into the first block (CBC is linear in it: E(P1 ^ IV) = E((P1 ^ IV ^ S) ^ S)).
/// Works on a context-owned scratch buffer grown to the largest packet; not thread-safe.
/// </summary>
internal sealed class PersistentAes : IDisposable
{
    private readonly Aes _aes;
    private readonly ICryptoTransform _cbcEncrypt;
    private readonly ICryptoTransform _cbcDecrypt;
    private readonly ICryptoTransform _ecbEncrypt;
    private readonly byte[] _encryptChain = new byte[16]; // last ciphertext block _cbcEncrypt produced
    private readonly byte[] _decryptChain = new byte[16]; // last ciphertext block _cbcDecrypt consumed
    private byte[] _scratch = new byte[2048];

    public PersistentAes(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        _aes.Padding = PaddingMode.None;
        var zero = new byte[16];
        _aes.Mode = CipherMode.CBC;
        _cbcEncrypt = _aes.CreateEncryptor(_aes.Key, zero);
        _cbcDecrypt = _aes.CreateDecryptor(_aes.Key, zero);
        _aes.Mode = CipherMode.ECB;
        _ecbEncrypt = _aes.CreateEncryptor(_aes.Key, null);
    }

    /// <summary>CBC encryption of whole blocks under <paramref name="iv"/>; output may alias input.</summary>
    public void EncryptCbc(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        int n = input.Length;
        if (n == 0) return;
        var s = Scratch(n);
        input.CopyTo(s);
        for (int i = 0; i < 16; i++)
            s[i] ^= (byte)(iv[i] ^ _encryptChain[i]);
        _cbcEncrypt.TransformBlock(s, 0, n, s, 0);
        Array.Copy(s, n - 16, _encryptChain, 0, 16);
        s.AsSpan(0, n).CopyTo(output);
    }

    /// <summary>CBC decryption of whole blocks under <paramref name="iv"/>; output may alias input.</summary>
    public void DecryptCbc(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        int n = input.Length;
        if (n == 0) return;
        var s = Scratch(n);
        input.CopyTo(s);
        Span<byte> last = stackalloc byte[16];
        input[(n - 16)..n].CopyTo(last);
        _cbcDecrypt.TransformBlock(s, 0, n, s, 0);
        for (int i = 0; i < 16; i++)
            s[i] ^= (byte)(iv[i] ^ _decryptChain[i]);
        last.CopyTo(_decryptChain);
        s.AsSpan(0, n).CopyTo(output);
    }

    /// <summary>ECB encryption of whole blocks (counter blocks for CTR); output may alias input.</summary>
    public void EncryptEcb(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int n = input.Length;
        if (n == 0) return;
        var s = Scratch(n);
        input.CopyTo(s);
        _ecbEncrypt.TransformBlock(s, 0, n, s, 0);
        s.AsSpan(0, n).CopyTo(output);
    }

    /// <summary>
    /// CBC-MAC chaining value of whole blocks with a zero IV: the last ciphertext block (RFC 3566 §4,
    /// RFC 4493 §2.4 steps before the last block). <paramref name="chain"/> gets 16 bytes.
    /// </summary>
    public void CbcMac(ReadOnlySpan<byte> blocks, Span<byte> chain)
    {
        if (blocks.Length == 0)
        {
            chain[..16].Clear();
            return;
        }
        Span<byte> zero = stackalloc byte[16];
        zero.Clear();
        int n = blocks.Length;
        var s = Scratch(n);
        blocks.CopyTo(s);
        for (int i = 0; i < 16; i++)
            s[i] ^= _encryptChain[i];
        _cbcEncrypt.TransformBlock(s, 0, n, s, 0);
        Array.Copy(s, n - 16, _encryptChain, 0, 16);
        s.AsSpan(n - 16, 16).CopyTo(chain);
    }

    private byte[] Scratch(int length)
    {
        if (_scratch.Length < length)
        {
            CryptographicOperations.ZeroMemory(_scratch);
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        }
        return _scratch;
    }

    public void Dispose()
    {
        _cbcEncrypt.Dispose();
        _cbcDecrypt.Dispose();
        _ecbEncrypt.Dispose();
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_scratch);
        CryptographicOperations.ZeroMemory(_encryptChain);
        CryptographicOperations.ZeroMemory(_decryptChain);
    }
}

using System.Security.Cryptography;

namespace Petrel.Crypto.Primitives;

/// <summary>A keyed 3DES-CBC cipher on the runtime's TripleDES. Not thread-safe.</summary>
internal sealed class TripleDesCbcContext : ICipherContext
{
    private readonly TripleDES _des;

    public TripleDesCbcContext(ReadOnlySpan<byte> key)
    {
        _des = TripleDES.Create();
        _des.Key = key.ToArray();
    }

    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag) =>
        _des.EncryptCbc(plaintext, iv, ciphertext, PaddingMode.None);

    public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        if (iv.Length != 8 || (ciphertext.Length & 7) != 0 || plaintext.Length < ciphertext.Length)
            return false;
        _des.DecryptCbc(ciphertext, iv, plaintext, PaddingMode.None);
        return true;
    }

    public void Dispose() => _des.Dispose();
}

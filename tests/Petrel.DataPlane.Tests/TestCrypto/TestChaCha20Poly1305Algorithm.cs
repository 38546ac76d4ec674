using System.Security.Cryptography;
using Petrel.Crypto.Primitives;

namespace Petrel.DataPlane.Tests.TestCrypto;

/// <summary>Test double: ChaCha20-Poly1305 for ESP as RFC 7634 §2 defines it (32-byte key ‖ 4-byte salt, 8-byte IV).</summary>
internal sealed class TestChaCha20Poly1305Algorithm : EncryptionAlgorithm
{
    public override int KeyLength => 36;
    public override int IvLength => 8;
    public override int BlockSize => 1;
    public override int IcvLength => 16;

    public override ICipherContext CreateContext(ReadOnlySpan<byte> key) => new Context(key);

    private sealed class Context(ReadOnlySpan<byte> key) : ICipherContext
    {
        private readonly ChaCha20Poly1305 _aead = new(key[..32]);
        private readonly byte[] _salt = key[32..].ToArray();

        public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
        {
            Span<byte> nonce = stackalloc byte[12];
            _salt.CopyTo(nonce);
            iv.CopyTo(nonce[4..]);
            _aead.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        }

        public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
        {
            Span<byte> nonce = stackalloc byte[12];
            _salt.CopyTo(nonce);
            iv.CopyTo(nonce[4..]);
            try
            {
                _aead.Decrypt(nonce, ciphertext, tag, plaintext, aad);
                return true;
            }
            catch (AuthenticationTagMismatchException)
            {
                return false;
            }
        }

        public void Dispose() => _aead.Dispose();
    }
}

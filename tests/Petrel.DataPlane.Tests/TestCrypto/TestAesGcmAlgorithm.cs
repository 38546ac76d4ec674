using System.Security.Cryptography;
using Petrel.Crypto.Primitives;

namespace Petrel.DataPlane.Tests.TestCrypto;

/// <summary>Test double: AES-GCM with a 16-byte ICV as RFC 4106 uses it (key ‖ 4-byte salt, 8-byte explicit IV).</summary>
internal sealed class TestAesGcmAlgorithm(int keyBytes) : EncryptionAlgorithm
{
    public override int KeyLength => keyBytes + 4;
    public override int IvLength => 8;
    public override int BlockSize => 1;
    public override int IcvLength => 16;

    public override ICipherContext CreateContext(ReadOnlySpan<byte> key) => new Context(key);

    private sealed class Context(ReadOnlySpan<byte> key) : ICipherContext
    {
        private readonly AesGcm _gcm = new(key[..^4], 16);
        private readonly byte[] _salt = key[^4..].ToArray();

        public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
        {
            Span<byte> nonce = stackalloc byte[12];
            _salt.CopyTo(nonce);
            iv.CopyTo(nonce[4..]);
            _gcm.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        }

        public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
        {
            Span<byte> nonce = stackalloc byte[12];
            _salt.CopyTo(nonce);
            iv.CopyTo(nonce[4..]);
            try
            {
                _gcm.Decrypt(nonce, ciphertext, tag, plaintext, aad);
                return true;
            }
            catch (AuthenticationTagMismatchException)
            {
                return false;
            }
        }

        public void Dispose() => _gcm.Dispose();
    }
}

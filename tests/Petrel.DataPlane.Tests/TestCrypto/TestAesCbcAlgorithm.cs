using System.Security.Cryptography;
using Petrel.Crypto.Primitives;

namespace Petrel.DataPlane.Tests.TestCrypto;

/// <summary>Test double: AES-CBC (RFC 3602), 16-byte IV, no padding (ESP pads itself).</summary>
internal sealed class TestAesCbcAlgorithm(int keyBytes) : EncryptionAlgorithm
{
    public override int KeyLength => keyBytes;
    public override int IvLength => 16;
    public override int BlockSize => 16;
    public override int IcvLength => 0;

    public override ICipherContext CreateContext(ReadOnlySpan<byte> key) => new Context(key);

    private sealed class Context : ICipherContext
    {
        private readonly Aes _aes = Aes.Create();

        public Context(ReadOnlySpan<byte> key) => _aes.Key = key.ToArray();

        public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag) =>
            _aes.EncryptCbc(plaintext, iv, ciphertext, PaddingMode.None);

        public bool Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
        {
            _aes.DecryptCbc(ciphertext, iv, plaintext, PaddingMode.None);
            return true;
        }

        public void Dispose() => _aes.Dispose();
    }
}

using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace Petrel.Crypto.Primitives;

/// <summary>Creates keyed BouncyCastle block cipher engines (ECB, one block per call).</summary>
internal static class BlockCipherEngines
{
    public static IBlockCipher Create(BlockCipherKind kind, bool forEncryption, ReadOnlySpan<byte> key)
    {
        IBlockCipher engine = kind switch
        {
            BlockCipherKind.Aes => AesUtilities.CreateEngine(),
            BlockCipherKind.Blowfish => new BlowfishEngine(),
            BlockCipherKind.Cast128 => new Cast5Engine(),
            BlockCipherKind.Camellia => new CamelliaEngine(),
            BlockCipherKind.Serpent => new SerpentEngine(),
            BlockCipherKind.Twofish => new TwofishEngine(),
            BlockCipherKind.Des => new DesEngine(),
            BlockCipherKind.TripleDes => new DesEdeEngine(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        engine.Init(forEncryption, new KeyParameter(key));
        return engine;
    }

    public static int BlockSize(BlockCipherKind kind) => kind is BlockCipherKind.Blowfish or BlockCipherKind.Cast128 or BlockCipherKind.Des or BlockCipherKind.TripleDes ? 8 : 16;
}

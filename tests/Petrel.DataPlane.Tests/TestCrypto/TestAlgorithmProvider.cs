using Petrel.Crypto.Primitives;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;

namespace Petrel.DataPlane.Tests.TestCrypto;

/// <summary>Resolves the IANA transform ids the tests use to the test doubles (independent of Petrel.Crypto's catalogue).</summary>
internal sealed class TestAlgorithmProvider : IEspAlgorithmProvider
{
    public static readonly TestAlgorithmProvider Instance = new();

    public bool TryResolve(SaSpec sa, out EspAlgorithms algorithms, out string? error)
    {
        EncryptionAlgorithm? enc = sa.Encryption.Id switch
        {
            TestTransforms.EncrAesCbc => new TestAesCbcAlgorithm(sa.Encryption.KeyLengthBits / 8),
            TestTransforms.EncrAesGcm16 => new TestAesGcmAlgorithm(sa.Encryption.KeyLengthBits / 8),
            TestTransforms.EncrChaCha20Poly1305 => new TestChaCha20Poly1305Algorithm(),
            _ => null,
        };
        IntegrityAlgorithm? integ = sa.Integrity?.Id switch
        {
            null => null,
            TestTransforms.AuthHmacSha1_96 => TestHmacAlgorithm.Sha1_96,
            TestTransforms.AuthHmacSha256_128 => TestHmacAlgorithm.Sha256_128,
            _ => null,
        };
        if (sa.Protocol == IpsecProtocol.Ah && integ is not null)
        {
            algorithms = new EspAlgorithms(null, integ);
            error = null;
            return true;
        }
        if (enc is null || (sa.Integrity is not null && integ is null))
        {
            algorithms = default;
            error = "unsupported by the test provider";
            return false;
        }
        algorithms = new EspAlgorithms(enc, integ);
        error = null;
        return true;
    }
}

using Org.BouncyCastle.Crypto.Parameters;
using Petrel.Crypto.Primitives;

namespace Petrel.Crypto.KeyExchange;

/// <summary>
/// ML-KEM (FIPS 203) as an IKEv2 key exchange (draft-ietf-ipsecme-ikev2-mlkem; ids 35-37), normally
/// negotiated as an RFC 9370 additional key exchange. A KEM is asymmetric: the initiator sends its
/// encapsulation key, the responder answers with a ciphertext. With <see cref="KeyExchangeState"/> that
/// means: the initiator reads PublicKey first (the encapsulation key) and later passes the ciphertext to
/// ComputeSharedSecret; the responder calls ComputeSharedSecret with the encapsulation key first and then
/// sends PublicKey (now the ciphertext).
/// </summary>
public sealed class MlKemMethod : KeyExchangeMethod
{
    private readonly ushort _id;

    private MlKemMethod(ushort id, MLKemParameters parameters, int encapsulationKeyLength, int ciphertextLength)
    {
        _id = id;
        Parameters = parameters;
        PublicKeyLength = encapsulationKeyLength;
        CiphertextLength = ciphertextLength;
    }

    // FIPS 203 Table 3: encapsulation key and ciphertext sizes.
    public static readonly MlKemMethod MlKem512 = new(35, MLKemParameters.ml_kem_512, 800, 768);
    public static readonly MlKemMethod MlKem768 = new(36, MLKemParameters.ml_kem_768, 1184, 1088);
    public static readonly MlKemMethod MlKem1024 = new(37, MLKemParameters.ml_kem_1024, 1568, 1568);

    public override ushort Id => _id;

    /// <summary>Length of the initiator's KE data (the encapsulation key).</summary>
    public override int PublicKeyLength { get; }

    /// <summary>Length of the responder's KE data (the ciphertext).</summary>
    public int CiphertextLength { get; }

    internal MLKemParameters Parameters { get; }

    public override KeyExchangeState Create(IRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return new MlKemState(this, random);
    }
}

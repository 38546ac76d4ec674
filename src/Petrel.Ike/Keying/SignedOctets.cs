using System.Security.Cryptography;
using Petrel.Crypto.Primitives;

namespace Petrel.Ike.Keying;

/// <summary>
/// The octets an AUTH payload covers (RFC 7296 §2.15):
///   InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload)
///   ResponderSignedOctets = RealMessage2 | NonceIData | prf(SK_pr, RestOfRespIDPayload)
/// RealMessage is the exact IKE_SA_INIT message the signer sent; the nonce is the peer's Nonce data;
/// RestOfIDPayload (IDx') is the ID payload body without its generic header.
/// </summary>
public static class SignedOctets
{
    public static byte[] Build(PrfAlgorithm prf, ReadOnlySpan<byte> realMessage, ReadOnlySpan<byte> peerNonce, ReadOnlySpan<byte> skP, ReadOnlySpan<byte> idPayloadBody)
    {
        var result = new byte[realMessage.Length + peerNonce.Length + prf.OutputLength];
        realMessage.CopyTo(result);
        peerNonce.CopyTo(result.AsSpan(realMessage.Length));
        prf.Compute(skP, idPayloadBody, result.AsSpan(realMessage.Length + peerNonce.Length));
        return result;
    }
}

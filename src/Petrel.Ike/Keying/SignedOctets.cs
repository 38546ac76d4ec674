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
    /// <param name="intAuth">RFC 9242 §3.3.2: IntAuth when IKE_INTERMEDIATE exchanges took place, appended last; empty otherwise.</param>
    public static byte[] Build(PrfAlgorithm prf, ReadOnlySpan<byte> realMessage, ReadOnlySpan<byte> peerNonce, ReadOnlySpan<byte> skP, ReadOnlySpan<byte> idPayloadBody, ReadOnlySpan<byte> intAuth = default)
    {
        var result = new byte[realMessage.Length + peerNonce.Length + prf.OutputLength + intAuth.Length];
        realMessage.CopyTo(result);
        peerNonce.CopyTo(result.AsSpan(realMessage.Length));
        prf.Compute(skP, idPayloadBody, result.AsSpan(realMessage.Length + peerNonce.Length, prf.OutputLength));
        intAuth.CopyTo(result.AsSpan(realMessage.Length + peerNonce.Length + prf.OutputLength));
        return result;
    }
}

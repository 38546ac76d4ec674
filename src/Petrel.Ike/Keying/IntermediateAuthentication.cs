using System.Buffers.Binary;
using Petrel.Crypto.Primitives;

namespace Petrel.Ike.Keying;

/// <summary>
/// Authentication of IKE_INTERMEDIATE exchanges (RFC 9242 §3.3.2), whose content is added to the AUTH
/// signed octets:
///   IntAuth_in = prf(SK_pi(n), IntAuth_i(n-1) | IntAuth_inA | IntAuth_inP)   (IntAuth_i0 empty)
///   IntAuth_rn likewise with SK_pr(n) over the responder's messages
///   IntAuth    = IntAuth_iN | IntAuth_rN | IKE_AUTH_MID
/// The A|P octets of a message come from <see cref="Wire.IkeMessage.TryGetIntermediateAuthOctets"/>; SK_p is
/// the one of the keys that protected that IKE_INTERMEDIATE exchange.
/// </summary>
public static class IntermediateAuthentication
{
    /// <summary>One step of the IntAuth_i or IntAuth_r chain; previous is empty for the first exchange.</summary>
    public static byte[] Chain(PrfAlgorithm prf, ReadOnlySpan<byte> skP, ReadOnlySpan<byte> previous, ReadOnlySpan<byte> authOctets)
    {
        var data = new byte[previous.Length + authOctets.Length];
        previous.CopyTo(data);
        authOctets.CopyTo(data.AsSpan(previous.Length));
        return prf.Compute(skP, data);
    }

    /// <summary>IntAuth = IntAuth_iN | IntAuth_rN | IKE_AUTH_MID (the Message ID of the first IKE_AUTH request, 4 octets).</summary>
    public static byte[] Combine(ReadOnlySpan<byte> intAuthI, ReadOnlySpan<byte> intAuthR, uint ikeAuthMessageId)
    {
        var result = new byte[intAuthI.Length + intAuthR.Length + 4];
        intAuthI.CopyTo(result);
        intAuthR.CopyTo(result.AsSpan(intAuthI.Length));
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(intAuthI.Length + intAuthR.Length), ikeAuthMessageId);
        return result;
    }
}

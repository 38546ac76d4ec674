using System.Security.Cryptography;
using System.Text;
using Petrel.Crypto.Primitives;

namespace Petrel.Ike.Keying;

/// <summary>
/// AUTH for method 2, Shared Key Message Integrity Code (RFC 7296 §2.15):
/// AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), &lt;SignedOctets&gt;).
/// The same formula authenticates with an EAP MSK in place of the shared secret (§2.16).
/// </summary>
public static class SharedKeyAuthentication
{
    /// <summary>The 17 ASCII octets "Key Pad for IKEv2", without a terminating NUL (§2.15).</summary>
    private static readonly byte[] KeyPad = Encoding.ASCII.GetBytes("Key Pad for IKEv2");

    public static byte[] Compute(PrfAlgorithm prf, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> signedOctets)
    {
        var padded = prf.Compute(secret, KeyPad);
        try
        {
            return prf.Compute(padded, signedOctets);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(padded);
        }
    }

    /// <summary>Constant-time check of a received AUTH value.</summary>
    public static bool Verify(PrfAlgorithm prf, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> signedOctets, ReadOnlySpan<byte> authData)
    {
        var expected = Compute(prf, secret, signedOctets);
        return CryptographicOperations.FixedTimeEquals(expected, authData);
    }
}

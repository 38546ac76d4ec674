namespace Petrel.Crypto.Primitives;

/// <summary>The two AES-based MACs IPsec uses.</summary>
public enum AesMacKind
{
    /// <summary>AES-XCBC-MAC, RFC 3566 (integrity) and RFC 4434 (PRF).</summary>
    Xcbc,

    /// <summary>AES-CMAC, RFC 4494 (integrity) and RFC 4615 (PRF).</summary>
    Cmac,
}

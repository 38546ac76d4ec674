namespace Petrel.Crypto.Primitives;

/// <summary>
/// The HMAC PRFs of IKEv2 (PRF_HMAC_MD5, PRF_HMAC_SHA1 per RFC 2104; PRF_HMAC_SHA2_* per RFC 4868 §2.1.2).
/// HMAC already accepts keys of any length, which RFC 7296 §2.14 relies on for SKEYSEED = prf(Ni | Nr, g^ir).
/// </summary>
public sealed class HmacPrf(HashKind hash) : PrfAlgorithm
{
    public HashKind Hash { get; } = hash;
    public override int OutputLength { get; } = HashKindInfo.OutputBytes(hash);
    public override int KeyLength => OutputLength;

    public override void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (output.Length != OutputLength)
            throw new ArgumentException($"PRF output must be {OutputLength} bytes", nameof(output));
        HashKindInfo.Hmac(Hash, key, data, output);
    }
}

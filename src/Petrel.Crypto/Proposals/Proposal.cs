using Petrel.Crypto.Algorithms;

namespace Petrel.Crypto.Proposals;

/// <summary>
/// A proposal: for each transform type the acceptable transforms in order of preference
/// (RFC 7296 §3.3). The same type is used for configured proposals (from strongSwan keywords)
/// and for proposals received on the wire. Selection takes the first transform of each type
/// that both sides have.
/// </summary>
public sealed record Proposal(SecurityProtocol Protocol, IReadOnlyList<Transform> Transforms)
{
    /// <summary>Proposal number on the wire (1-based), set when received.</summary>
    public byte Number { get; init; }

    /// <summary>SPI as received or to be sent (8 bytes for IKE rekeys, 4 for ESP/AH, empty for IKE_SA_INIT).</summary>
    public ReadOnlyMemory<byte> Spi { get; init; }

    public IEnumerable<Transform> OfType(TransformType type)
    {
        foreach (var t in Transforms)
            if (t.Type == type) yield return t;
    }

    /// <summary>The first transform of a type, or null (e.g. the negotiated algorithm of a selected proposal).</summary>
    public Transform? First(TransformType type)
    {
        foreach (var t in Transforms)
            if (t.Type == type) return t;
        return null;
    }

    /// <summary>As strongSwan logs it: "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048".</summary>
    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(Protocol switch { SecurityProtocol.Ike => "IKE", SecurityProtocol.Ah => "AH", SecurityProtocol.Esp => "ESP", _ => Protocol.ToString() });
        char sep = ':';
        foreach (var t in Transforms)
        {
            sb.Append(sep).Append(AlgorithmCatalog.Describe(t));
            sep = '/';
        }
        return sb.ToString();
    }
}

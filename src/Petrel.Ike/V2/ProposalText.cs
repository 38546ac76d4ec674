using System.Buffers.Binary;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;

namespace Petrel.Ike.V2;

/// <summary>Proposals as people read them in logs ("AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_3072"), and SA helpers.</summary>
internal static class ProposalText
{
    public static string Describe(Proposal p)
    {
        // strongSwan's order: encryption, integrity, PRF, key exchange, ESN.
        var parts = new List<string>(p.Transforms.Count);
        foreach (var type in DisplayOrder)
        {
            foreach (var t in p.Transforms)
            {
                if (t.Type != type) continue;
                // ESN "no" is implied in every ESP proposal; listing it only adds noise.
                if (t.Type == TransformType.ExtendedSequenceNumbers && t.Id == 0) continue;
                parts.Add(AlgorithmCatalog.Describe(t));
            }
        }
        return string.Join("/", parts);
    }

    private static readonly TransformType[] DisplayOrder =
        [TransformType.Encryption, TransformType.Integrity, TransformType.Prf, TransformType.KeyExchange,
         // RFC 9370 additional key exchanges follow the main one, as strongSwan 6 lists them ("KE1_ML_KEM_768").
         TransformType.AdditionalKeyExchange1, TransformType.AdditionalKeyExchange2, TransformType.AdditionalKeyExchange3, TransformType.AdditionalKeyExchange4,
         TransformType.AdditionalKeyExchange5, TransformType.AdditionalKeyExchange6, TransformType.AdditionalKeyExchange7,
         TransformType.ExtendedSequenceNumbers];

    public static string Describe(IReadOnlyList<Proposal> proposals) =>
        proposals.Count == 0 ? "(none)" : string.Join(", ", proposals.Select(Describe));

    public static Transform? First(Proposal p, TransformType type)
    {
        foreach (var t in p.Transforms)
            if (t.Type == type) return t;
        return null;
    }

    public static bool HasKeyExchange(Proposal p)
    {
        foreach (var t in p.Transforms)
            if (t.Type == TransformType.KeyExchange && t.Id != 0) return true;
        return false;
    }

    /// <summary>
    /// CHILD_SA proposals to send: our SPI in each, numbered from 1; KE transforms dropped unless PFS is
    /// wanted (RFC 7296 §1.2: IKE_AUTH carries no KE, so its SA must not offer groups), and an ESN
    /// transform added where missing (§3.3.3: ESP and AH proposals must carry one).
    /// </summary>
    public static List<Proposal> ForChild(IReadOnlyList<Proposal> configured, uint spi, bool keepKeyExchange)
    {
        var spiBytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(spiBytes, spi);
        var result = new List<Proposal>(configured.Count);
        for (int i = 0; i < configured.Count; i++)
        {
            var p = configured[i];
            var transforms = new List<Transform>(p.Transforms.Count + 1);
            bool esn = false;
            foreach (var t in p.Transforms)
            {
                // Without a key exchange (IKE_AUTH, no PFS) RFC 9370's additional ones go too: they need a KE to follow.
                if ((t.Type == TransformType.KeyExchange || AlgorithmCatalog.IsAdditionalKeyExchange(t.Type)) && !keepKeyExchange) continue;
                if (t.Type == TransformType.ExtendedSequenceNumbers) esn = true;
                transforms.Add(t);
            }
            if (!esn) transforms.Add(new Transform(TransformType.ExtendedSequenceNumbers, 0));
            result.Add(new Proposal(p.Protocol, transforms) { Number = (byte)(i + 1), Spi = spiBytes });
        }
        return result;
    }

    public static uint SpiOf(Proposal p) => p.Spi.Length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(p.Spi.Span) : 0;

    public static bool Esn(Proposal p) => First(p, TransformType.ExtendedSequenceNumbers) is { Id: 1 };
}

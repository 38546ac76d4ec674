using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;

namespace Petrel.Daemon;

/// <summary>
/// A proposal as strongSwan prints it in swanctl --list-conns: "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048".
/// </summary>
public static class ProposalText
{
    /// <summary>strongSwan lists encryption, integrity, PRF, key exchange, ESN in that order.</summary>
    private static readonly TransformType[] DisplayOrder =
        [TransformType.Encryption, TransformType.Integrity, TransformType.Prf, TransformType.KeyExchange,
         // RFC 9370 additional key exchanges follow the main one, as strongSwan 6 lists them ("KE1_ML_KEM_768").
         TransformType.AdditionalKeyExchange1, TransformType.AdditionalKeyExchange2, TransformType.AdditionalKeyExchange3, TransformType.AdditionalKeyExchange4,
         TransformType.AdditionalKeyExchange5, TransformType.AdditionalKeyExchange6, TransformType.AdditionalKeyExchange7,
         TransformType.ExtendedSequenceNumbers];

    public static string Describe(Proposal proposal)
    {
        var names = new List<string>(proposal.Transforms.Count);
        foreach (var type in DisplayOrder)
        foreach (var t in proposal.OfType(type))
        {
            // ESN "no" is implied in strongSwan's listing; show only ESN when required.
            if (t.Type == TransformType.ExtendedSequenceNumbers)
            {
                names.Add(t.Id == 1 ? "EXT_SEQ" : "NO_EXT_SEQ");
                continue;
            }
            names.Add(Name(t));
        }
        string protocol = proposal.Protocol switch
        {
            SecurityProtocol.Ike => "IKE",
            SecurityProtocol.Esp => "ESP",
            SecurityProtocol.Ah => "AH",
            _ => proposal.Protocol.ToString().ToUpperInvariant(),
        };
        return $"{protocol}:{string.Join('/', names)}";
    }

    public static List<string> Describe(IReadOnlyList<Proposal> proposals)
    {
        var list = new List<string>(proposals.Count);
        foreach (var p in proposals)
            list.Add(Describe(p));
        return list;
    }

    private static string Name(Transform t)
    {
        try
        {
            return AlgorithmCatalog.Describe(t);
        }
        catch (NotImplementedException)
        {
            return t.ToString();
        }
    }
}

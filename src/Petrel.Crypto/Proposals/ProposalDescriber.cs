using Petrel.Crypto.Algorithms;

namespace Petrel.Crypto.Proposals;

/// <summary>
/// Explains a strongSwan proposal string line by line (for `petrel proposal "..."`): each algorithm with
/// its IANA id and sizes, what strongSwan's rules added or dropped, and a warning for each weak choice.
/// </summary>
public static class ProposalDescriber
{
    /// <summary>
    /// Describes <paramref name="text"/> as a proposal list for <paramref name="protocol"/>, or, when null,
    /// as IKE if it parses as IKE, else as ESP, else as AH. Throws <see cref="ProposalException"/> (from the
    /// IKE attempt when no protocol was given) when it is not a valid proposal list.
    /// </summary>
    public static ProposalDescription Describe(string text, SecurityProtocol? protocol = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (protocol is { } p)
            return DescribeAs(text, p);
        ProposalException? first = null;
        foreach (var candidate in (ReadOnlySpan<SecurityProtocol>)[SecurityProtocol.Ike, SecurityProtocol.Esp, SecurityProtocol.Ah])
        {
            try
            {
                return DescribeAs(text, candidate);
            }
            catch (ProposalException e)
            {
                first ??= e;
            }
        }
        throw first!;
    }

    private static ProposalDescription DescribeAs(string text, SecurityProtocol protocol)
    {
        var list = ProposalParser.ParseList(text, protocol);
        var lines = new List<string>();
        var warnings = new List<string>();
        var body = text.Trim().TrimEnd('!').Trim();
        var sources = body.Split(',');
        int number = 0;
        foreach (var raw in sources)
        {
            var source = raw.Trim();
            bool isDefault = source.Equals("default", StringComparison.OrdinalIgnoreCase);
            int count = isDefault ? ProposalParser.Default(protocol).Count : 1;
            for (int k = 0; k < count; k++)
            {
                var proposal = list.Proposals[number++];
                lines.Add(isDefault
                    ? $"{Label(protocol)} proposal {number} (from 'default', strongSwan 5.9.8's built-in list): {proposal}"
                    : $"{Label(protocol)} proposal {number} '{source}': {proposal}");
                foreach (var t in proposal.Transforms)
                    lines.Add("  " + Explain(t, protocol));
                if (!isDefault)
                    AddRuleNotes(source, protocol, proposal, lines);
                AddWarnings(proposal, protocol, number, warnings);
            }
        }
        if (list.Strict)
            lines.Add("'!' (strict): accepted; Petrel never appends default proposals, so it changes nothing.");
        return new ProposalDescription(protocol, list.Strict, list.Proposals, lines, warnings);
    }

    private static string Explain(Transform t, SecurityProtocol protocol)
    {
        var name = AlgorithmCatalog.Describe(t);
        var role = t.Type switch
        {
            TransformType.Encryption => "encryption",
            TransformType.Prf => "prf",
            TransformType.Integrity => "integrity",
            TransformType.KeyExchange => protocol == SecurityProtocol.Ike ? "key exchange" : "key exchange (PFS)",
            TransformType.ExtendedSequenceNumbers => "sequence numbers",
            _ => $"additional key exchange {(byte)t.Type - 5} (RFC 9370)",
        };
        var detail = "";
        if (AlgorithmCatalog.TryFind(t, out var e))
        {
            if (e.Encryption is { } enc)
            {
                int keyBits = t.KeyLengthBits != 0 ? t.KeyLengthBits : enc.KeyLength * 8;
                detail = enc.IsAead
                    ? $"AEAD, {keyBits}-bit key, {enc.IcvLength * 8}-bit ICV, {enc.IvLength * 8}-bit IV"
                    : enc.KeyLength == 0 ? "no encryption" : $"{keyBits}-bit key, {enc.BlockSize * 8}-bit block, {enc.IvLength * 8}-bit IV";
            }
            else if (e.Integrity is { } integ)
                detail = $"{integ.KeyLength * 8}-bit key, {integ.IcvLength * 8}-bit ICV";
            else if (e.Prf is { } prf)
                detail = $"{prf.OutputLength * 8}-bit output";
            else if (e.KeyExchange is { } ke)
                detail = $"{ke.PublicKeyLength}-byte public value";
            else if (t.Type == TransformType.ExtendedSequenceNumbers)
                detail = t.Id == 1 ? "64-bit extended sequence numbers" : "32-bit sequence numbers";
        }
        var ids = $"IKEv2 type {(byte)t.Type} id {t.Id}" + (t.KeyLengthBits != 0 ? $" keylen {t.KeyLengthBits}" : "");
        return $"{role,-18} {name,-24} ({ids}{(detail.Length > 0 ? "; " + detail : "")})";
    }

    private static void AddRuleNotes(string source, SecurityProtocol protocol, Proposal proposal, List<string> lines)
    {
        bool prfKeyword = false, integrityKeyword = false, esnKeyword = false;
        foreach (var token in source.Split('-'))
        {
            var e = AlgorithmCatalog.FindKeyword(token.Trim());
            if (e is null) continue;
            prfKeyword |= e.Type == TransformType.Prf;
            integrityKeyword |= e.Type == TransformType.Integrity;
            esnKeyword |= e.Type == TransformType.ExtendedSequenceNumbers;
        }
        bool aead = proposal.First(TransformType.Encryption) is { } enc
            && AlgorithmCatalog.TryFind(enc, out var ee) && ee.Encryption is { IsAead: true };
        if (protocol == SecurityProtocol.Ike && !prfKeyword)
            lines.Add("  note: no prf keyword, so the PRF follows the integrity algorithm(s), as strongSwan does");
        if (aead && integrityKeyword)
            lines.Add("  note: integrity keywords are dropped with an AEAD cipher (RFC 5282 §8, RFC 4303 §3.2.3); here they only chose the PRF");
        if (protocol != SecurityProtocol.Ike && !esnKeyword)
            lines.Add("  note: no 'esn' keyword, so 32-bit sequence numbers only (NO_EXT_SEQ)");
    }

    private static void AddWarnings(Proposal proposal, SecurityProtocol protocol, int number, List<string> warnings)
    {
        foreach (var t in proposal.Transforms)
        {
            if (!AlgorithmCatalog.TryFind(t, out var e)) continue;
            if (e.Weak)
                warnings.Add($"proposal {number}: {e.Name} ('{e.Keyword}') is weak ({WhyWeak(e)}); it works but is never in the defaults");
            if (t.Type == TransformType.Encryption && t.Id is 11 or 21)
                warnings.Add($"proposal {number}: {e.Name} gives no confidentiality: traffic is authenticated but sent in clear");
            if (t.Type == TransformType.Encryption && t.Id is 1026 or 1027)
                warnings.Add($"proposal {number}: {e.Name} uses a strongSwan private-use id; only strongSwan-compatible peers know it");
        }
        if (protocol == SecurityProtocol.Ike && proposal.First(TransformType.Encryption) is { Id: 18 or 25 })
            warnings.Add($"proposal {number}: an 8-byte (64-bit) ICV is short for IKE; prefer 16");
    }

    private static string WhyWeak(AlgorithmEntry e) => e.Keyword switch
    {
        "md5" or "md5_128" or "prfmd5" => "MD5",
        "sha1" or "sha1_160" or "prfsha1" => "SHA-1",
        "3des" => "3DES, 64-bit block",
        "modp768" => "768-bit MODP group",
        "modp1024" => "1024-bit MODP group",
        "modp1536" => "1536-bit MODP group",
        "modp1024s160" => "1024-bit MODP group with 160-bit subgroup",
        _ => "below current recommendations",
    };

    private static string Label(SecurityProtocol protocol) => protocol switch
    {
        SecurityProtocol.Ike => "IKE",
        SecurityProtocol.Esp => "ESP",
        SecurityProtocol.Ah => "AH",
        _ => protocol.ToString(),
    };
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.Daemon;

namespace Petrel.Cli;

/// <summary>The offline commands over the crypto catalogue: "algorithms" and "proposal".</summary>
public static class CatalogCommands
{
    public static void Algorithms(bool json, TextWriter w)
    {
        var all = AlgorithmCatalog.All;
        if (json)
        {
            var array = new JsonArray();
            foreach (var a in all)
            {
                array.Add(new JsonObject
                {
                    ["keyword"] = a.Keyword,
                    ["aliases"] = SaJson.Strings(a.Aliases),
                    ["name"] = a.Name,
                    ["type"] = TypeName(a.Type),
                    ["id"] = a.Id,
                    ["key_length"] = a.KeyLengthBits,
                    ["ike"] = a.UsableForIke,
                    ["esp"] = a.UsableForEsp,
                    ["ah"] = a.UsableForAh,
                    ["weak"] = a.Weak,
                });
            }
            w.WriteLine(array.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return;
        }
        foreach (var group in all.GroupBy(a => a.Type))
        {
            w.WriteLine($"{TypeName(group.Key)}:");
            foreach (var a in group)
            {
                var uses = new List<string>(3);
                if (a.UsableForIke) uses.Add("IKE");
                if (a.UsableForEsp) uses.Add("ESP");
                if (a.UsableForAh) uses.Add("AH");
                string aliases = a.Aliases.Count > 0 ? $" ({string.Join(", ", a.Aliases)})" : "";
                w.WriteLine($"  {a.Keyword,-24} {a.Name,-28} {string.Join(",", uses),-11}{(a.Weak ? " weak" : "")}{aliases}");
            }
        }
    }

    /// <summary>Parses a proposal string and shows what it means; weak algorithms get a warning on stderr.</summary>
    public static void Proposal(string text, SecurityProtocol protocol, TextWriter w, TextWriter err)
    {
        IReadOnlyList<Proposal> proposals;
        try
        {
            proposals = ProposalParser.Parse(text, protocol);
        }
        catch (FormatException e)
        {
            throw new CliException($"bad proposal '{text}': {e.Message}");
        }
        catch (ArgumentException e)
        {
            throw new CliException($"bad proposal '{text}': {e.Message}");
        }
        var warned = new HashSet<string>();
        foreach (var p in proposals)
        {
            w.WriteLine(ProposalText.Describe(p));
            foreach (var t in p.Transforms)
            {
                if (AlgorithmCatalog.TryFind(t, out var entry) && entry.Weak && warned.Add(entry.Name))
                    err.WriteLine($"petrel: warning: {entry.Name} ({entry.Keyword}) is weak; keep it only for legacy peers");
            }
        }
    }

    private static string TypeName(TransformType t) => t switch
    {
        TransformType.Encryption => "encryption",
        TransformType.Integrity => "integrity",
        TransformType.Prf => "prf",
        TransformType.KeyExchange => "key exchange",
        TransformType.ExtendedSequenceNumbers => "esn",
        _ => t.ToString(),
    };
}

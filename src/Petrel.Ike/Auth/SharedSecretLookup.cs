using Petrel.Ike.Config;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Auth;

/// <summary>
/// Finds the PSK for a pair of identities the way strongSwan's credential manager does: every secret
/// is scored by how well its ids match our id and the peer's id (exact beats wildcard beats "any"),
/// a secret without ids matches anyone, and the best total wins (the first one on a tie).
/// </summary>
internal static class SharedSecretLookup
{
    private const int MatchNone = 0, MatchAny = 1, MatchWildcard = 2, MatchPerfect = 3;

    public static SharedSecret? Find(IReadOnlyList<SharedSecret> secrets, Identity localId, Identity remoteId, string kind = "ike")
    {
        SharedSecret? best = null;
        int bestScore = 0;
        foreach (var s in secrets)
        {
            if (!s.Kind.Equals(kind, StringComparison.OrdinalIgnoreCase)) continue;
            int me = Score(s.Ids, localId), other = Score(s.Ids, remoteId);
            if (me == MatchNone && other == MatchNone) continue;
            int score = me + other;
            if (score > bestScore) { best = s; bestScore = score; }
        }
        return best;
    }

    private static int Score(IReadOnlyList<string> ids, Identity id)
    {
        if (ids.Count == 0) return MatchAny;
        int best = MatchNone;
        foreach (var text in ids)
        {
            if (!Identity.TryParse(text, out var owner, out _) || owner is null) continue;
            int m = owner.IsAny ? MatchAny
                : owner.Equals(id) ? MatchPerfect
                : owner.HasWildcards && owner.Matches(id) ? MatchWildcard
                : MatchNone;
            if (m > best) best = m;
        }
        return best;
    }
}

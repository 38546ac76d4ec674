namespace Petrel.Config;

/// <summary>"did you mean 'proposals'?": the closest known name within a small edit distance.</summary>
public static class KeySuggestion
{
    public static string? Closest(string word, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            int d = Distance(word.ToLowerInvariant(), c);
            if (d < bestDistance)
            {
                best = c;
                bestDistance = d;
            }
        }
        // Allow roughly one typo per four letters, at least one and at most three.
        int limit = Math.Clamp(word.Length / 4, 1, 3);
        if (bestDistance <= limit)
            return best;
        // A wrong ending on a long enough common stem ("childs" for "children") is still a typo.
        foreach (var c in candidates)
        {
            int common = 0;
            while (common < word.Length && common < c.Length && char.ToLowerInvariant(word[common]) == c[common]) common++;
            if (common >= 4 && common * 3 >= Math.Min(word.Length, c.Length) * 2)
                return c;
        }
        return null;
    }

    /// <summary>" (did you mean 'x'?)" or "".</summary>
    public static string Hint(string word, IEnumerable<string> candidates) =>
        Closest(word, candidates) is { } s ? $" (did you mean '{s}'?)" : "";

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transposition).</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int v = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    v = Math.Min(v, d[i - 2, j - 2] + 1);
                d[i, j] = v;
            }
        }
        return d[a.Length, b.Length];
    }
}

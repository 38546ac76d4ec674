namespace Petrel.Config;

/// <summary>
/// Expands an include pattern the way glob(3) does for strongSwan: '*' and '?' in any path
/// component, results sorted so includes load in a stable order. Character classes ('[…]')
/// are not supported by .NET's search patterns and are rejected by the caller's message.
/// </summary>
internal static class Glob
{
    public static List<string> Expand(string pattern)
    {
        string full = Path.GetFullPath(pattern);
        string root = Path.GetPathRoot(full) ?? "/";
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var current = new List<string> { root };
        for (int i = 0; i < parts.Length; i++)
        {
            bool last = i == parts.Length - 1;
            string part = parts[i];
            var next = new List<string>();
            foreach (var dir in current)
            {
                if (!Directory.Exists(dir)) continue;
                if (part.IndexOfAny(['*', '?']) < 0)
                {
                    string candidate = Path.Combine(dir, part);
                    if (last ? File.Exists(candidate) : Directory.Exists(candidate))
                        next.Add(candidate);
                    continue;
                }
                var found = last ? Directory.GetFiles(dir, part) : Directory.GetDirectories(dir, part);
                // Hidden files only match a pattern that starts with '.', as in glob(3).
                foreach (var f in found)
                    if (part.StartsWith('.') || !Path.GetFileName(f).StartsWith('.'))
                        next.Add(f);
            }
            next.Sort(StringComparer.Ordinal);
            current = next;
        }
        return current;
    }
}

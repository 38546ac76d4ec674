namespace Petrel.Bench;

/// <summary>
/// Lets a script run a subset of a parameterised benchmark (BenchmarkDotNet's --filter matches
/// methods, not parameter values): the variable holds comma-separated values, unset means all.
/// </summary>
public static class BenchSelection
{
    public static IEnumerable<string> FromEnvironment(string variable, IReadOnlyList<string> all)
    {
        string? chosen = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(chosen))
            return all;
        return chosen.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}

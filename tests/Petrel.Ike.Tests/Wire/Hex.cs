namespace Petrel.Ike.Tests.Wire;

/// <summary>Hex for hand-written vectors: whitespace and '|' (field separators in the layouts) are ignored.</summary>
internal static class Hex
{
    public static byte[] Parse(string text)
    {
        var clean = new System.Text.StringBuilder(text.Length);
        foreach (char c in text)
            if (!char.IsWhiteSpace(c) && c != '|') clean.Append(c);
        return Convert.FromHexString(clean.ToString());
    }

    public static string Format(ReadOnlySpan<byte> data) => Convert.ToHexString(data).ToLowerInvariant();
}

using System.Text.Json;

namespace Petrel.Crypto.Tests.Support;

/// <summary>Loads a JSON vector file copied beside the tests (vectors/ is copied to the output directory).</summary>
internal static class VectorFile
{
    public static JsonDocument Load(string relativePath)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "vectors", relativePath);
        return JsonDocument.Parse(File.ReadAllBytes(path));
    }

    public static byte[] Hex(this JsonElement element, string property) =>
        Convert.FromHexString(element.GetProperty(property).GetString()!);

    public static string Str(this JsonElement element, string property) => element.GetProperty(property).GetString()!;

    public static bool HasFlag(this JsonElement test, string flag)
    {
        foreach (var f in test.GetProperty("flags").EnumerateArray())
            if (f.GetString() == flag) return true;
        return false;
    }
}

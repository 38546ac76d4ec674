using Petrel.Config;

namespace Petrel.Tests.Config;

/// <summary>SPEC.md §3: a malformed config file gets a clear error, never a crash or another exception type.</summary>
public class HostileConfigTests
{
    private static readonly string Lab = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "ikev2-psk.left.swanctl.conf"));

    [Fact]
    public void Truncations_of_a_valid_file_load_or_fail_with_a_config_error()
    {
        for (int n = 0; n <= Lab.Length; n++)
            LoadOrConfigError(Lab[..n]);
    }

    [Fact]
    public void Random_mutations_load_or_fail_with_a_config_error()
    {
        var random = new Random(4301);
        const string alphabet = "{}=#\"\\\n ,:;[]/-0x0s%*?\0\u00e9abc";
        for (int i = 0; i < 1000; i++)
        {
            var chars = Lab.ToCharArray();
            int edits = random.Next(1, 6);
            for (int e = 0; e < edits; e++)
                chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
            LoadOrConfigError(new string(chars));
        }
    }

    [Fact]
    public void A_quoted_value_with_a_newline_is_escaped_in_the_one_line_error()
    {
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText("connections {\n lab {\n  rekey_time = \"4\nx\"\n }\n}\n", "x.conf"));
        Assert.Equal("x.conf:3: connections.lab.rekey_time: '4\\nx' is not a time (use e.g. 90s, 30m, 4h, 1d or plain seconds)", e.Message);
    }

    [Fact]
    public void Deep_nesting_and_long_values_are_handled()
    {
        LoadOrConfigError(string.Concat(Enumerable.Repeat("a {", 5000)) + string.Concat(Enumerable.Repeat("}", 5000)));
        LoadOrConfigError("connections {\n lab {\n  proposals = " + new string('a', 100_000) + "\n }\n}\n");
    }

    private static void LoadOrConfigError(string text)
    {
        try
        {
            SwanctlLoader.LoadText(text, "fuzz.conf", Path.GetTempPath());
        }
        catch (ConfigException e)
        {
            Assert.StartsWith("fuzz.conf", e.Message);
            Assert.DoesNotContain('\n', e.Message.TrimEnd());
        }
    }
}

using Petrel.Config;

namespace Petrel.Tests.Config;

public class SettingsParserTests
{
    [Fact]
    public void Sections_keys_and_lines_are_kept()
    {
        var root = SettingsParser.ParseText("""
            # comment
            connections {
              lab {
                version = 2   # trailing comment
                proposals = aes128-sha256-modp2048,  aes256-sha256-x25519
              }
            }
            """, "s.conf");
        var lab = root.FindSection("connections")!.FindSection("lab")!;
        Assert.Equal("connections.lab", lab.Path);
        Assert.Equal(3, lab.Line);
        var version = lab.FindEntry("version")!;
        Assert.Equal("2", version.Value);
        Assert.Equal(4, version.Line);
        Assert.Equal("s.conf", version.File);
        Assert.Equal("aes128-sha256-modp2048,  aes256-sha256-x25519", lab.FindEntry("proposals")!.Value);
    }

    [Fact]
    public void A_closing_brace_on_the_value_line_ends_the_value_and_the_section()
    {
        // strongSwan accepts one-line sections such as "remote { id = left }".
        var root = SettingsParser.ParseText("c {\n remote { id = left }\n local { auth = psk } x { id = \"CN=a, O=b\" }\n after = 1\n}\n", "s.conf");
        var c = root.FindSection("c")!;
        Assert.Equal("left", c.FindSection("remote")!.FindEntry("id")!.Value);
        Assert.Equal("psk", c.FindSection("local")!.FindEntry("auth")!.Value);
        Assert.Equal("CN=a, O=b", c.FindSection("x")!.FindEntry("id")!.Value);
        Assert.Equal(4, c.FindEntry("after")!.Line);
        Assert.Empty(c.FindSection("remote")!.Sections);
        // A quoted value keeps its '}'.
        Assert.Equal("a}b", SettingsParser.ParseText("k { v = \"a}b\" }").FindSection("k")!.FindEntry("v")!.Value);
        // One '}' too many is still an error with its line.
        var e = Assert.Throws<ConfigException>(() => SettingsParser.ParseText("k { v = 1 } }\n", "s.conf"));
        Assert.StartsWith("s.conf:1: unbalanced '}'", e.Message);
    }

    [Fact]
    public void Quoted_values_keep_hash_and_spaces_and_unescape()
    {
        var root = SettingsParser.ParseText("a {\n s = \"x # not a comment \\\"q\\\" \\\\ \"  # comment\n t = \"two\nlines\"\n u = after\n}\n");
        var a = root.FindSection("a")!;
        Assert.Equal("x # not a comment \"q\" \\ ", a.FindEntry("s")!.Value);
        Assert.Equal("two\nlines", a.FindEntry("t")!.Value);
        Assert.Equal(5, a.FindEntry("u")!.Line);
    }

    [Fact]
    public void Empty_value_and_repeated_sections_merge_with_last_key_winning()
    {
        var root = SettingsParser.ParseText("a {\n k = 1\n e =\n}\na {\n k = 2\n j = 3\n}\n");
        var a = root.FindSection("a")!;
        Assert.Single(root.Sections);
        Assert.Equal("2", a.FindEntry("k")!.Value);
        Assert.Equal(6, a.FindEntry("k")!.Line);
        Assert.Equal("", a.FindEntry("e")!.Value);
        Assert.Equal("3", a.FindEntry("j")!.Value);
    }

    [Fact]
    public void Unbalanced_closing_brace_names_file_and_line()
    {
        var e = Assert.Throws<ConfigException>(() => SettingsParser.ParseText("a {\n k = 1\n}\n}\n", "x.conf"));
        Assert.Equal(4, e.Line);
        Assert.StartsWith("x.conf:4: unbalanced '}'", e.Message);
    }

    [Fact]
    public void Missing_closing_brace_names_the_open_section()
    {
        var e = Assert.Throws<ConfigException>(() => SettingsParser.ParseText("connections {\n lab {\n  k = 1\n }\n", "x.conf"));
        Assert.Contains("missing '}'", e.Message);
        Assert.Contains("'connections' opened at x.conf:1", e.Message);
    }

    [Fact]
    public void Unterminated_quote_is_reported_at_its_start()
    {
        var e = Assert.Throws<ConfigException>(() => SettingsParser.ParseText("a {\n k = \"open\n}\n", "x.conf"));
        Assert.Equal("x.conf:2: a quoted string is not closed", e.Message);
    }

    [Fact]
    public void Name_without_operator_is_an_error()
    {
        var e = Assert.Throws<ConfigException>(() => SettingsParser.ParseText("a {\n lonely\n}\n", "x.conf"));
        Assert.Equal("x.conf:2: expected '=' or '{' after 'lonely'", e.Message);
    }

    [Fact]
    public void Key_and_section_with_one_name_clash()
    {
        var e = Assert.Throws<ConfigException>(() => SettingsParser.ParseText("a {\n k = 1\n k { }\n}\n", "x.conf"));
        Assert.StartsWith("x.conf:3: 'k' in a is already a key", e.Message);
    }

    [Fact]
    public void Include_is_relative_to_the_including_file_and_lands_in_its_section()
    {
        using var dir = new TempConfigDir();
        dir.Write("conf.d/lab.conf", "lab {\n  version = 2\n}\n");
        string main = dir.Write("swanctl.conf", "connections {\n  include conf.d/lab.conf\n}\n");
        var root = SettingsParser.ParseFile(main);
        var version = root.FindSection("connections")!.FindSection("lab")!.FindEntry("version")!;
        Assert.Equal("2", version.Value);
        Assert.EndsWith("lab.conf", version.File);
        Assert.Equal(2, version.Line);
    }

    [Fact]
    public void Include_glob_loads_matches_in_order_and_an_empty_glob_is_fine()
    {
        using var dir = new TempConfigDir();
        dir.Write("conf.d/b.conf", "x = from-b\n");
        dir.Write("conf.d/a.conf", "x = from-a\ny = a\n");
        dir.Write("conf.d/skip.txt", "z = 1\n");
        string main = dir.Write("swanctl.conf", "s {\n include conf.d/*.conf\n include none.d/*.conf\n}\n");
        var s = SettingsParser.ParseFile(main).FindSection("s")!;
        Assert.Equal("from-b", s.FindEntry("x")!.Value);
        Assert.Equal("a", s.FindEntry("y")!.Value);
        Assert.Null(s.FindEntry("z"));
    }

    [Fact]
    public void Missing_include_is_an_error_with_file_and_line()
    {
        using var dir = new TempConfigDir();
        string main = dir.Write("swanctl.conf", "# first\ninclude missing.conf\n");
        var e = Assert.Throws<ConfigException>(() => SettingsParser.ParseFile(main));
        Assert.Equal(2, e.Line);
        Assert.EndsWith("swanctl.conf", e.File);
        Assert.Contains("include 'missing.conf': no such file", e.Message);
    }

    [Fact]
    public void Include_loop_is_detected()
    {
        using var dir = new TempConfigDir();
        dir.Write("a.conf", "include b.conf\n");
        dir.Write("b.conf", "include a.conf\n");
        var e = Assert.Throws<ConfigException>(() => SettingsParser.ParseFile(Path.Combine(dir.Path, "a.conf")));
        Assert.Contains("include loop", e.Message);
    }

    [Fact]
    public void Unbalanced_braces_in_an_included_file_are_reported_there()
    {
        using var dir = new TempConfigDir();
        dir.Write("inc.conf", "x {\n");
        string main = dir.Write("swanctl.conf", "s {\n include inc.conf\n}\n");
        var e = Assert.Throws<ConfigException>(() => SettingsParser.ParseFile(main));
        Assert.EndsWith("inc.conf", e.File);
        Assert.Contains("missing '}'", e.Message);
    }
}

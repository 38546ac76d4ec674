using System.CommandLine;
using Petrel.Cli;
using Petrel.Tests.Config;

namespace Petrel.Tests.Cli;

/// <summary>The command parser in-process: argument errors are one line and non-zero, never a stack trace.</summary>
public class PetrelCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = PetrelCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static void AssertOneLineError(string err, string expectedStart)
    {
        var lines = err.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith(expectedStart, lines[0]);
        Assert.DoesNotContain("   at ", err);
    }

    [Theory]
    [InlineData(new[] { "up" }, "petrel: Required argument missing for command: 'up'")]
    [InlineData(new[] { "frobnicate" }, "petrel: Unrecognized command or argument 'frobnicate'")]
    [InlineData(new[] { "list-sas", "--jsn" }, "petrel: Unrecognized command or argument '--jsn'")]
    [InlineData(new[] { "up", "lab", "--timeout", "abc" }, "petrel: --timeout 'abc' is not a number of seconds")]
    [InlineData(new[] { "up", "lab", "--timeout", "-1" }, "petrel: --timeout '-1' is not a number of seconds")]
    [InlineData(new[] { "export-keys" }, "petrel: Option '--wireshark' is required")]
    [InlineData(new[] { "proposal", "aes128", "--protocol", "gre" }, "petrel: Argument 'gre' not recognized")]
    [InlineData(new[] { "down" }, "petrel: Required argument missing for command: 'down'")]
    [InlineData(new string[0], "petrel: Required command was not provided")]
    public void Argument_errors_are_one_line_with_exit_code_2(string[] args, string expected)
    {
        var (code, output, err) = Run(args);
        Assert.Equal(PetrelCli.UsageError, code);
        Assert.Equal("", output);
        AssertOneLineError(err, expected);
    }

    [Fact]
    public void Options_bind_to_the_expected_values()
    {
        var root = PetrelCli.Build(TextWriter.Null, TextWriter.Null);
        var parsed = root.Parse(["up", "lab", "--child", "net", "--timeout", "7.5", "--socket", "/tmp/x.sock"]);
        Assert.Empty(parsed.Errors);
        Assert.Equal("up", parsed.CommandResult.Command.Name);
        Assert.Equal("lab", parsed.GetValue<string>("CONNECTION"));
        Assert.Equal("net", parsed.GetValue<string?>("--child"));
        Assert.Equal(7.5, parsed.GetValue<double?>("--timeout"));
        Assert.Equal("/tmp/x.sock", parsed.GetValue<string>("--socket"));
    }

    [Fact]
    public void Socket_defaults_to_run_petrel()
    {
        var parsed = PetrelCli.Build(TextWriter.Null, TextWriter.Null).Parse(["list-sas"]);
        Assert.Equal("/run/petrel/petrel.sock", parsed.GetValue<string>("--socket"));
    }

    [Theory]
    [InlineData("up", "lab")]
    [InlineData("down", "lab")]
    [InlineData("list-sas")]
    [InlineData("list-conns")]
    [InlineData("reload")]
    [InlineData("export-keys", "--wireshark", "/tmp")]
    public void Every_daemon_command_takes_socket(params string[] args)
    {
        var parsed = PetrelCli.Build(TextWriter.Null, TextWriter.Null).Parse([.. args, "--socket", "/tmp/p.sock"]);
        Assert.Empty(parsed.Errors);
    }

    [Fact]
    public void Unreachable_daemon_is_one_line_naming_the_socket()
    {
        string socket = Path.Combine(Path.GetTempPath(), $"pt-missing-{Guid.NewGuid():N}.sock");
        var (code, _, err) = Run("list-sas", "--socket", socket);
        Assert.Equal(1, code);
        AssertOneLineError(err, $"petrel: cannot reach the daemon at {socket}: No such file or directory");
    }

    [Fact]
    public void Daemon_with_a_missing_config_is_one_line()
    {
        var (code, _, err) = Run("daemon", "--config", "/nonexistent/swanctl.conf", "--socket", "/tmp/unused.sock");
        Assert.Equal(1, code);
        AssertOneLineError(err, "petrel: /nonexistent/swanctl.conf: cannot read the config: No such file or directory");
    }

    [Fact]
    public void Daemon_with_a_bad_config_names_file_line_and_key()
    {
        using var dir = new TempConfigDir();
        string conf = dir.Write("swanctl.conf", "connections {\n  lab {\n    proposal = aes128-sha256-modp2048\n  }\n}\n");
        var (code, _, err) = Run("daemon", "--config", conf);
        Assert.Equal(1, code);
        AssertOneLineError(err, $"petrel: {conf}:3: unknown key 'proposal' in connections.lab (did you mean 'proposals'?)");
    }

    [Fact]
    public void Help_is_not_an_error()
    {
        var (code, output, err) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("list-sas", output);
        Assert.Equal("", err);
    }

    /// <summary>The root help claims exactly the IKEv1 that works (Main/Aggressive Mode, PSK or certificates, Quick Mode ESP tunnels), nothing more.</summary>
    [Fact]
    public void Help_claims_only_the_IKEv1_that_works()
    {
        var root = Run("--help");
        Assert.Contains("IKEv2", root.Out);
        Assert.Contains("IKEv1 Main/Aggressive Mode with PSK or certificates and Quick Mode ESP tunnels", root.Out);
        foreach (var (command, help) in AllHelp())
        {
            int mentions = System.Text.RegularExpressions.Regex.Matches(help, "IKE ?v1", System.Text.RegularExpressions.RegexOptions.IgnoreCase).Count;
            Assert.True(mentions <= 1, $"'{command} --help' mentions IKEv1 {mentions} times");
            foreach (var unbuilt in new[] { "XAuth", "Mode Config", "transport mode", "AH tunnels" })
                Assert.DoesNotContain(unbuilt, help, StringComparison.OrdinalIgnoreCase);
            Assert.False(help.Contains("systemd-friendly", StringComparison.Ordinal), $"'{command} --help' claims systemd readiness");
        }
    }

    /// <summary>`petrel [COMMAND …] --help` for the root and every command and subcommand.</summary>
    private static IEnumerable<(string Command, string Help)> AllHelp()
    {
        var tree = PetrelCli.Build(TextWriter.Null, TextWriter.Null);
        var pending = new Stack<(string[] Path, Command Command)>();
        pending.Push(([], tree));
        while (pending.Count > 0)
        {
            var (path, command) = pending.Pop();
            var (code, output, err) = Run([.. path, "--help"]);
            Assert.True(code == 0, err);
            yield return (string.Join(' ', path), output);
            foreach (var sub in command.Subcommands)
                pending.Push(([.. path, sub.Name], sub));
        }
    }
}

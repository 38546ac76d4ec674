using Petrel.Config;

namespace Petrel.Tests.Vici;

public sealed class ViciSettingsTests
{
    [Theory]
    [InlineData("/run/petrel/charon.vici", "/run/petrel/charon.vici")]
    [InlineData("unix:///run/petrel/charon.vici", "/run/petrel/charon.vici")]
    public void Vici_takes_a_path_or_strongswans_unix_uri(string value, string path)
    {
        var config = SwanctlLoader.LoadText($"petrel {{\n  vici = {value}\n}}\n");
        Assert.Equal(path, config.Daemon.ViciPath);
    }

    [Fact]
    public void Vici_is_off_unless_configured() => Assert.Null(SwanctlLoader.LoadText("petrel {\n}\n").Daemon.ViciPath);

    [Theory]
    [InlineData("tcp://127.0.0.1:4502")]
    [InlineData("unix://")]
    public void Vici_refuses_what_is_not_a_unix_socket(string value)
    {
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText($"petrel {{\n  vici = {value}\n}}\n"));
        Assert.Equal(2, e.Line);
        Assert.Contains("is not a Unix socket path", e.Message);
    }
}

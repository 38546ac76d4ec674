using Petrel.Config;

namespace Petrel.Tests.Config;

/// <summary>start_action / close_action / dpd_action spellings strongSwan accepts, and petrel { retransmit_* }.</summary>
public class LifecycleConfigTests
{
    private static string Conf(string child, string petrel = "") => $$"""
        connections {
          c {
            remote_addrs = 192.0.2.1
            local {
              auth = psk
            }
            remote {
              auth = psk
            }
            children {
              n {
                {{child}}
              }
            }
          }
        }
        {{petrel}}
        """;

    [Theory]
    [InlineData("start_action = route", "trap")]
    [InlineData("start_action = trap", "trap")]
    [InlineData("start_action = start", "start")]
    [InlineData("start_action = restart", "start")]
    [InlineData("start_action = none", "none")]
    public void Start_action_names(string line, string expected) =>
        Assert.Equal(expected, SwanctlLoader.LoadText(Conf(line)).Connections[0].Children[0].StartAction);

    [Theory]
    [InlineData("close_action = clear", "none")]
    [InlineData("close_action = hold", "trap")]
    [InlineData("close_action = restart", "start")]
    [InlineData("close_action = trap", "trap")]
    public void Close_action_names(string line, string expected) =>
        Assert.Equal(expected, SwanctlLoader.LoadText(Conf(line)).Connections[0].Children[0].CloseAction);

    [Fact]
    public void Retransmit_settings_come_from_the_petrel_section()
    {
        var d = SwanctlLoader.LoadText(Conf("", "petrel {\n retransmit_timeout = 0.5\n retransmit_base = 1.5\n retransmit_tries = 2\n}")).Daemon;
        Assert.Equal(TimeSpan.FromMilliseconds(500), d.RetransmitTimeout);
        Assert.Equal(1.5, d.RetransmitBase);
        Assert.Equal(2, d.RetransmitTries);
        Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf("", "petrel {\n retransmit_base = 0.5\n}")));
        Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf("", "petrel {\n retransmit_timeout = 0s\n}")));
        Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf("start_action = sometimes")));
    }
}

using Petrel.Config;
using Petrel.Ike.Config;

namespace Petrel.Tests.Config;

/// <summary>remote.revocation (swanctl.conf(5): strict | ifuri | relaxed, default relaxed) and petrel.fetch_timeout.</summary>
public class RevocationConfigTests
{
    private static string Conf(string remote, string tail = "") => $$"""
        connections {
          gw {
            remote_addrs = %any
            local {
              auth = pubkey
            }
            remote {
              auth = pubkey
              {{remote}}
            }
            children {
              net {
                local_ts = 10.1.0.0/24
              }
            }
          }
        }
        {{tail}}
        """;

    [Theory]
    [InlineData("", RevocationPolicy.Relaxed)]
    [InlineData("revocation = relaxed", RevocationPolicy.Relaxed)]
    [InlineData("revocation = ifuri", RevocationPolicy.IfUri)]
    [InlineData("revocation = Strict", RevocationPolicy.Strict)]
    public void Remote_revocation_is_read(string line, RevocationPolicy expected) =>
        Assert.Equal(expected, SwanctlLoader.LoadText(Conf(line)).Connections[0].Remote.Revocation);

    [Fact]
    public void A_wrong_revocation_value_names_file_line_and_the_choices()
    {
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf("revocation = paranoid"), "swanctl.conf"));
        Assert.Contains("swanctl.conf:9: connections.gw.remote.revocation", e.Message);
        Assert.Contains("'paranoid' is not one of relaxed, ifuri, strict", e.Message);
    }

    [Fact]
    public void Fetch_timeout_comes_from_the_petrel_section()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), SwanctlLoader.LoadText(Conf("")).Daemon.FetchTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), SwanctlLoader.LoadText(Conf("", "petrel {\n fetch_timeout = 3s\n}")).Daemon.FetchTimeout);
        Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf("", "petrel {\n fetch_timeout = 0s\n}")));
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf("", "petrel {\n fetch_timeout = 1m\n}")));
        Assert.Contains("is not a time from 1s to 20s", e.Message);
    }
}

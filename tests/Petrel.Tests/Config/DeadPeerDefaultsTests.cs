using Petrel.Cli;
using Petrel.Config;
using Petrel.Daemon;

namespace Petrel.Tests.Config;

/// <summary>SPEC.md: dpd_delay defaults to 30 s and dpd_timeout (IKEv1 only) to 150 s, and list-conns shows it.</summary>
public class DeadPeerDefaultsTests
{
    private static string Conf(string extra = "") =>
        "connections {\n  lab {\n    remote_addrs = 198.18.0.2\n" +
        $"    {extra}\n" +
        "    local {\n      auth = psk\n    }\n    remote {\n      auth = psk\n    }\n" +
        "    children {\n      net {\n        local_ts = 10.1.0.0/24\n      }\n    }\n  }\n}\n";

    [Fact]
    public void A_connection_without_dpd_delay_checks_liveness_every_30_seconds()
    {
        var lab = SwanctlLoader.LoadText(Conf()).Connections[0];
        Assert.Equal(TimeSpan.FromSeconds(30), lab.DpdDelay);
        Assert.Equal(TimeSpan.FromSeconds(150), lab.DpdTimeout);
    }

    [Fact]
    public void The_model_has_the_same_defaults_as_the_loader()
    {
        var c = new Petrel.Ike.Config.ConnectionConfig { Name = "x", Proposals = [], Local = new(), Remote = new() };
        Assert.Equal(TimeSpan.FromSeconds(30), c.DpdDelay);
        Assert.Equal(TimeSpan.FromSeconds(150), c.DpdTimeout);
    }

    [Fact]
    public void Dpd_delay_0_still_turns_liveness_checks_off()
    {
        Assert.Equal(TimeSpan.Zero, SwanctlLoader.LoadText(Conf("dpd_delay = 0")).Connections[0].DpdDelay);
    }

    [Fact]
    public void List_conns_shows_the_default_dpd_delay()
    {
        var json = ConnectionJson.ToJson(SwanctlLoader.LoadText(Conf()).Connections);
        Assert.Equal(30, (long)json[0]!["dpd_delay"]!);
        Assert.Equal(150, (long)json[0]!["dpd_timeout"]!);
        var text = new StringWriter();
        ConnectionListPrinter.Print(json, text);
        Assert.StartsWith("lab: IKEv2, no reauthentication, rekeying every 10800s, dpd delay 30s\n", text.ToString().ReplaceLineEndings("\n"));
    }
}

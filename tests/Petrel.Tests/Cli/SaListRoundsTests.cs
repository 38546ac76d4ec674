using System.Text.Json.Nodes;
using Petrel.Cli;
using Petrel.Daemon;
using Petrel.Ike.Engine;

namespace Petrel.Tests.Cli;

/// <summary>
/// list-sas with several authentication rounds (RFC 4739), text and JSON: the remote line shows the last round's
/// identity as swanctl --list-sas does, and every round is listed with its method, identity and EAP identity.
/// </summary>
public sealed class SaListRoundsTests
{
    private const string CarolDn = "C=CH, O=Petrel Test, CN=carol";

    private static IkeSaInfo Gateway() => new()
    {
        Name = "rw", UniqueId = 7, State = "ESTABLISHED", LocalHost = "192.0.2.1", RemoteHost = "192.0.2.2",
        LocalId = "gw.petrel.test", RemoteId = "carol", EapIdentity = "carol", RemoteVips = ["10.3.0.1"],
        AuthRounds = [new AuthRoundInfo(false, 1, "pubkey", CarolDn), new AuthRoundInfo(false, 2, "eap-radius", "carol", "carol"),
            new AuthRoundInfo(true, 1, "pubkey", "gw.petrel.test")],
    };

    [Fact]
    public void Json_has_every_round_and_the_last_remote_identity()
    {
        var json = SaJson.ToJson(Gateway());
        Assert.Equal("carol", (string?)json["remote_id"]);
        Assert.Equal("carol", (string?)json["remote_eap_id"]);
        var rounds = json["auth_rounds"]!.AsArray().OfType<JsonObject>().Where(r => (string?)r["side"] == "remote").ToList();
        Assert.Equal([(1, "pubkey", CarolDn, (string?)null), (2, "eap-radius", "carol", "carol")],
            rounds.Select(r => ((int)r["round"]!, (string)r["auth"]!, (string)r["id"]!, (string?)r["eap_id"])));
    }

    [Fact]
    public void Text_prints_the_last_identity_and_one_line_per_round()
    {
        var w = new StringWriter();
        SaListPrinter.Print(new JsonArray(SaJson.ToJson(Gateway())), w);
        string text = w.ToString();
        Assert.Contains("  remote 'carol' @ 192.0.2.2 [10.3.0.1]", text);
        Assert.Contains("  remote EAP identity 'carol'", text);
        Assert.Contains($"  remote round 1: pubkey '{CarolDn}'\n", text.Replace("\r", ""));
        Assert.Contains("  remote round 2: eap-radius 'carol' (EAP identity 'carol')", text);
        Assert.DoesNotContain("local round", text); // one local round: no round lines for that side
    }
}

using Petrel.Cli;
using Petrel.Config;

namespace Petrel.Tests.Config;

/// <summary>
/// RFC 9370 additional key exchanges ("ke1_mlkem768") need IKE_INTERMEDIATE, which Petrel does not
/// run yet: a proposal naming one is refused (config and `petrel proposal`), not negotiated without it.
/// </summary>
public class AdditionalKeyExchangeRefusalTests
{
    private const string Expected = "additional key exchange 'ke1_mlkem768' (RFC 9370) is not built yet: Petrel has no IKE_INTERMEDIATE exchange, " +
                                    "so it would be listed but not performed; remove the ke1_…ke7_ tokens (ML-KEM alone, e.g. 'mlkem768', works in IKE_SA_INIT)";

    private static string Conf(string ike = "", string esp = "") =>
        "connections {\n" +
        "  lab {\n" +
        "    remote_addrs = 198.18.0.2\n" +
        $"    {ike}\n" +
        "    local {\n      auth = psk\n    }\n" +
        "    remote {\n      auth = psk\n    }\n" +
        "    children {\n" +
        "      net {\n" +
        $"        {esp}\n" +
        "      }\n" +
        "    }\n" +
        "  }\n" +
        "}\n";

    private static string Refusal(string text) =>
        Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(text, "swanctl.conf")).Message;

    [Fact]
    public void Ike_proposal_with_ke1_is_refused_at_its_line()
    {
        Assert.Equal($"swanctl.conf:4: connections.lab.proposals: {Expected}",
            Refusal(Conf(ike: "proposals = aes256-sha256-x25519-ke1_mlkem768")));
    }

    [Fact]
    public void Any_ke_slot_and_any_proposal_of_the_list_is_refused()
    {
        Assert.Contains("'ke3_mlkem1024'", Refusal(Conf(ike: "proposals = aes128gcm16-prfsha256-ecp256,aes256gcm16-prfsha384-ecp384-ke3_mlkem1024")));
        Assert.Contains("'ke1_none'", Refusal(Conf(ike: "proposals = aes256-sha256-x25519-ke1_none")));
    }

    [Fact]
    public void Esp_proposal_with_ke1_is_refused_at_its_line()
    {
        Assert.Equal($"swanctl.conf:13: connections.lab.children.net.esp_proposals: {Expected}",
            Refusal(Conf(esp: "esp_proposals = aes256gcm16-x25519-ke1_mlkem768")));
    }

    [Fact]
    public void Ah_proposal_with_ke1_is_refused_at_its_line()
    {
        Assert.Equal($"swanctl.conf:13: connections.lab.children.net.ah_proposals: {Expected}",
            Refusal(Conf(esp: "ah_proposals = sha256-x25519-ke1_mlkem768")));
    }

    [Fact]
    public void Ml_kem_as_the_only_key_exchange_still_loads()
    {
        var c = SwanctlLoader.LoadText(Conf(ike: "proposals = aes256gcm16-prfsha384-mlkem768")).Connections[0];
        Assert.Contains("ML_KEM_768", c.Proposals[0].ToString());
    }

    [Fact]
    public void Proposal_command_refuses_ke1_with_one_line_and_nonzero_exit()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = PetrelCli.Run(["proposal", "aes256-sha256-x25519-ke1_mlkem768"], stdout, stderr);
        Assert.Equal(1, code);
        Assert.Equal("", stdout.ToString());
        Assert.Equal($"petrel: proposal 'aes256-sha256-x25519-ke1_mlkem768': {Expected}\n", stderr.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Proposal_command_refuses_ke1_in_esp()
    {
        var stderr = new StringWriter();
        int code = PetrelCli.Run(["proposal", "--protocol", "esp", "aes128gcm16-ecp256-ke2_mlkem512"], new StringWriter(), stderr);
        Assert.Equal(1, code);
        Assert.Contains("'ke2_mlkem512' (RFC 9370) is not built yet", stderr.ToString());
    }
}

using Petrel.Cli;
using Petrel.Config;

namespace Petrel.Tests.Config;

/// <summary>
/// RFC 9370 additional key exchanges ("ke1_mlkem768") load in IKE, ESP and AH proposals and `petrel proposal` prints
/// them; what cannot work (a ke1_ without a main key exchange) is refused with its line.
/// </summary>
public class AdditionalKeyExchangeConfigTests
{
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

    [Fact]
    public void Ike_esp_and_ah_proposals_with_additional_key_exchanges_load()
    {
        var c = SwanctlLoader.LoadText(Conf(ike: "proposals = aes256-sha256-x25519-ke1_mlkem768-ke2_ecp384", esp: "esp_proposals = aes256gcm16-x25519-ke1_mlkem768")).Connections[0];
        Assert.EndsWith("/CURVE_25519/KE1_ML_KEM_768/KE2_ECP_384", c.Proposals[0].ToString());
        Assert.Contains("KE1_ML_KEM_768", c.Children[0].EspProposals[0].ToString());
        var ah = SwanctlLoader.LoadText(Conf(esp: "ah_proposals = sha256-x25519-ke1_mlkem512")).Connections[0];
        Assert.Contains("KE1_ML_KEM_512", ah.Children[0].AhProposals[0].ToString());
    }

    [Fact]
    public void Additional_key_exchange_without_a_main_one_is_refused_at_its_line()
    {
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText(Conf(esp: "esp_proposals = aes256gcm16-ke1_mlkem768"), "swanctl.conf"));
        Assert.StartsWith("swanctl.conf:13: connections.lab.children.net.esp_proposals: bad proposal: additional key exchange 'ke1_…' needs a main key exchange", e.Message);
    }

    [Fact]
    public void Proposal_command_prints_the_additional_key_exchange()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = PetrelCli.Run(["proposal", "aes256-sha256-x25519-ke1_mlkem768"], stdout, stderr);
        Assert.Equal(0, code);
        Assert.Equal("", stderr.ToString());
        Assert.Equal("IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519/KE1_ML_KEM_768\n", stdout.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Proposal_command_prints_ke_none_and_esp_additional_key_exchanges()
    {
        var stdout = new StringWriter();
        int code = PetrelCli.Run(["proposal", "--protocol", "esp", "aes128gcm16-ecp256-ke2_mlkem512-ke2_none"], stdout, new StringWriter());
        Assert.Equal(0, code);
        Assert.Equal("ESP:AES_GCM_16_128/ECP_256/KE2_ML_KEM_512/KE2_KE_NONE/NO_EXT_SEQ\n", stdout.ToString().ReplaceLineEndings("\n"));
    }
}

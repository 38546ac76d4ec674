using System.Text.Json.Nodes;
using Petrel.Cli;

namespace Petrel.Tests.Cli;

/// <summary>The offline catalogue commands: algorithms and proposal.</summary>
public class CatalogCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = PetrelCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Proposal_is_shown_in_strongswan_order()
    {
        var (code, output, err) = Run("proposal", "aes128-sha256-modp2048,aes128gcm16-prfsha256-ecp256");
        Assert.True(code == 0, err);
        Assert.Equal(
            "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048\nIKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256\n",
            output.ReplaceLineEndings("\n"));
        Assert.Equal("", err);
    }

    [Fact]
    public void Weak_algorithms_warn_once_each_on_stderr()
    {
        var (code, output, err) = Run("proposal", "aes128-sha1-modp1024,aes256-sha1-modp1024");
        Assert.Equal(0, code);
        Assert.Equal(2, output.ReplaceLineEndings("\n").TrimEnd().Split('\n').Length);
        var warnings = err.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.Contains(warnings, w => w.StartsWith("petrel: warning: MODP_1024", StringComparison.Ordinal));
        Assert.Single(warnings, w => w.Contains("MODP_1024"));
    }

    [Fact]
    public void Esp_proposal_protocol()
    {
        var (code, output, _) = Run("proposal", "--protocol", "esp", "aes128gcm16");
        Assert.Equal(0, code);
        Assert.StartsWith("ESP:AES_GCM_16_128", output);
    }

    [Fact]
    public void Bad_proposal_is_one_line_naming_the_token()
    {
        var (code, output, err) = Run("proposal", "aes128-foo");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains("'foo'", err);
        Assert.Single(err.ReplaceLineEndings("\n").TrimEnd().Split('\n'));
    }

    [Fact]
    public void Algorithms_json_lists_the_catalogue()
    {
        var (code, output, _) = Run("algorithms", "--json");
        Assert.Equal(0, code);
        var all = JsonNode.Parse(output)!.AsArray();
        var gcm = all.Single(a => (string?)a!["keyword"] == "aes128gcm16")!;
        Assert.Equal("AES_GCM_16_128", (string?)gcm["name"]);
        Assert.Equal("encryption", (string?)gcm["type"]);
        Assert.Equal(20, (int)gcm["id"]!);
        Assert.True((bool)gcm["esp"]!);
        Assert.Contains(all, a => (bool)a!["weak"]!);
    }

    [Fact]
    public void Algorithms_text_groups_by_type()
    {
        var (code, output, _) = Run("algorithms");
        Assert.Equal(0, code);
        Assert.Contains("encryption:", output);
        Assert.Contains("integrity:", output);
        Assert.Matches(@"\n  sha256 +HMAC_SHA2_256_128 ", output.ReplaceLineEndings("\n"));
    }
}

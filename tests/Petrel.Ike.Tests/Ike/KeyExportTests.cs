namespace Petrel.Ike.Tests.Ike;

public class KeyExportTests
{
    // petrel { export_keys = yes }: the engine keeps the CHILD_SA keys it would otherwise wipe once installed.
    private static readonly IkeEngineOptions Export = new() { ExportKeys = true };

    [Fact]
    public void Ike_keys_export_as_wireshark_rows_that_agree_on_both_sides()
    {
        var f = ExchangeFixture.Create("aes256-sha256-modp2048", "aes128-sha256");
        Assert.True(f.Initiate()!.Success);

        var l = Assert.Single(f.Left.Engine.ExportIkeKeys());
        var r = Assert.Single(f.Right.Engine.ExportIkeKeys());
        Assert.Equal(l, r);
        Assert.Equal("AES-CBC-256 [RFC3602]", l.EncryptionAlgorithm);
        Assert.Equal("HMAC_SHA2_256_128 [RFC4868]", l.IntegrityAlgorithm);
        Assert.Equal(16, l.InitiatorSpi.Length);
        Assert.Equal(64, l.SkEi.Length);
        Assert.Equal(64, l.SkAi.Length);
        Assert.NotEqual(l.SkEi, l.SkEr);
    }

    [Fact]
    public void Aead_ike_keys_name_the_icv_and_no_integrity()
    {
        var f = ExchangeFixture.Create("aes128gcm16-prfsha256-ecp256", "aes128gcm16");
        Assert.True(f.Initiate()!.Success);
        var l = Assert.Single(f.Left.Engine.ExportIkeKeys());
        Assert.Equal("AES-GCM-128 with 16 octet ICV [RFC5282]", l.EncryptionAlgorithm);
        Assert.Equal("NONE [RFC4306]", l.IntegrityAlgorithm);
        Assert.Equal(40, l.SkEi.Length); // 16-byte key + 4-byte salt
        Assert.Equal("", l.SkAi);
    }

    [Fact]
    public void Esp_keys_export_both_directions_matching_the_peer()
    {
        var f = ExchangeFixture.Create(esp: "aes128gcm16", leftOptions: Export, rightOptions: Export);
        Assert.True(f.Initiate()!.Success);

        var left = f.Left.Engine.ExportEspKeys();
        var right = f.Right.Engine.ExportEspKeys();
        Assert.Equal(2, left.Count);
        var lOut = left[0];
        Assert.Equal("IPv4", lOut.Protocol);
        Assert.Equal("198.51.100.1", lOut.SourceAddress);
        Assert.Equal("198.51.100.2", lOut.DestinationAddress);
        Assert.Equal("AES-GCM with 16 octet ICV [RFC4106]", lOut.EncryptionAlgorithm);
        Assert.Equal("NULL", lOut.AuthenticationAlgorithm);
        Assert.StartsWith("0x", lOut.Spi);
        Assert.Equal(2 + 40, lOut.EncryptionKey.Length);
        Assert.Contains(right, r => r.Spi == lOut.Spi && r.EncryptionKey == lOut.EncryptionKey && r.SourceAddress == lOut.SourceAddress);

        var g = ExchangeFixture.Create(esp: "aes128-sha256", leftOptions: Export, rightOptions: Export);
        Assert.True(g.Initiate()!.Success);
        var cbc = g.Left.Engine.ExportEspKeys()[0];
        Assert.Equal("AES-CBC [RFC3602]", cbc.EncryptionAlgorithm);
        Assert.Equal("HMAC-SHA-256-128 [RFC4868]", cbc.AuthenticationAlgorithm);
        Assert.Equal(2 + 64, cbc.AuthenticationKey.Length);
    }

    [Fact]
    public void List_sas_reports_algorithms_counters_and_states()
    {
        var f = ExchangeFixture.Create("aes128-sha256-modp2048", "aes128-sha256");
        Assert.True(f.Initiate()!.Success);
        f.Advance(TimeSpan.FromSeconds(3));

        var sa = f.LeftSa;
        Assert.Equal("site", sa.Name);
        Assert.Equal("198.51.100.1", sa.LocalHost);
        Assert.Equal("left", sa.LocalId);
        Assert.Equal("AES_CBC_128", sa.Encr);
        Assert.Equal("HMAC_SHA2_256_128", sa.Integ);
        Assert.Equal("PRF_HMAC_SHA2_256", sa.Prf);
        Assert.Equal("MODP_2048", sa.Dh);
        Assert.Equal(3, sa.EstablishedSeconds);
        var c = Assert.Single(sa.Children);
        Assert.Equal("ESP", c.Protocol);
        Assert.Equal("TUNNEL", c.Mode);
        Assert.Equal("AES_CBC_128", c.Encr);
        Assert.Equal(1000UL, c.BytesIn);
        Assert.Equal(10UL, c.PacketsOut);
        Assert.NotEqual(0u, sa.UniqueId);
    }
}

using Petrel.DataPlane.Kernel;

namespace Petrel.Ike.Tests.Interop;

/// <summary>
/// The engine against a real strongSwan 5.9.8 (IKE only; the fake kernel records the CHILD_SAs).
/// strongSwan with kernel-libipsec fakes NAT detection, so every exchange after IKE_SA_INIT runs on
/// port 4500 with the non-ESP marker and the CHILD_SAs are UDP-encapsulated.
/// </summary>
[Collection("strongSwan interop")]
public class StrongSwanInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(25);

    [RootFact]
    public void StrongSwan_initiates_aes_cbc_modp2048_and_deletes() => StrongSwanInitiates("aes128-sha256-modp2048", "aes128-sha256");

    [RootFact]
    public void StrongSwan_initiates_aes128_gcm_ecp256_and_deletes() => StrongSwanInitiates("aes128gcm16-prfsha256-ecp256", "aes128gcm16");

    [RootFact]
    public void Engine_initiates_aes128_gcm_ecp256_and_deletes() => EngineInitiates("aes128gcm16-prfsha256-ecp256", "aes128gcm16");

    [RootFact]
    public void StrongSwan_initiates_aes_gcm_ecp384_and_deletes() => StrongSwanInitiates("aes256gcm16-prfsha384-ecp384", "aes256gcm16");

    [RootFact]
    public void StrongSwan_initiates_chacha20poly1305_x25519_and_deletes() => StrongSwanInitiates("chacha20poly1305-prfsha256-x25519", "chacha20poly1305");

    [RootFact]
    public void Engine_initiates_aes_cbc_modp2048_and_deletes() => EngineInitiates("aes128-sha256-modp2048", "aes128-sha256");

    [RootFact]
    public void Engine_initiates_aes_gcm_ecp384_and_deletes() => EngineInitiates("aes256gcm16-prfsha384-ecp384", "aes256gcm16");

    [RootFact]
    public void Engine_initiates_chacha20poly1305_x25519_and_deletes() => EngineInitiates("chacha20poly1305-prfsha256-x25519", "chacha20poly1305");

    [RootFact]
    public void Wrong_psk_fails_with_authentication_failed_both_ways()
    {
        using var lab = new InteropLab("aes128-sha256-modp2048", "aes128gcm16", enginePsk: "not-the-right-one");

        var result = lab.Pump(done => lab.Engine.Initiate("eng", null, done), Timeout);
        Assert.True(result is { Success: false }, $"initiate should fail: {result?.Message}{lab.Diagnostics}");
        Assert.Contains("AUTHENTICATION_FAILED", result!.Message);
        Assert.Empty(lab.Engine.ListSas());

        var (code, output) = lab.SwanctlWhilePumping(Timeout, "--initiate", "--child", "net", "--timeout", "10");
        Assert.NotEqual(0, code);
        Assert.Contains("AUTHENTICATION_FAILED", output + lab.Sw.TailLog(80));
        Assert.Contains("with pre-shared key failed", lab.Log.All);
        Assert.Empty(lab.Kernel.Sas);
    }

    [RootFact]
    public void Proposal_mismatch_is_no_proposal_chosen_with_what_was_offered()
    {
        using var lab = new InteropLab("aes128gcm16-prfsha256-ecp256", "aes128gcm16", strongSwanIke: "aes256-sha512-modp4096");

        var (code, output) = lab.SwanctlWhilePumping(Timeout, "--initiate", "--child", "net", "--timeout", "10");

        Assert.NotEqual(0, code);
        Assert.Contains("NO_PROPOSAL_CHOSEN", output + lab.Sw.TailLog(80));
        Assert.Contains("peer offered AES_CBC_256/HMAC_SHA2_512_256/PRF_HMAC_SHA2_512/MODP_4096", lab.Log.All);
        Assert.Empty(lab.Engine.ListSas());
    }

    [RootFact]
    public void Wireshark_decrypts_ike_and_esp_with_the_exported_keys()
    {
        using var lab = new InteropLab("aes128-sha256-modp2048", "aes128gcm16");
        var capture = Path.Combine(Path.GetTempPath(), $"eng-capture-{Environment.ProcessId}.pcap");
        using var tcpdump = Shell.Start("tcpdump", ["-i", lab.Sw.HostVeth, "-U", "-n", "-w", capture, "udp"]);
        try
        {
            Thread.Sleep(1000);
            var result = lab.Pump(done => lab.Engine.Initiate("eng", null, done), Timeout);
            Assert.True(result is { Success: true }, $"initiate: {result?.Message}{lab.Diagnostics}");
            // strongSwan encrypts traffic for 10.1.0.0/24 with the CHILD_SA: ESP-in-UDP towards us.
            Shell.Run("ip", ["netns", "exec", lab.Sw.Namespace, "ping", "-c", "3", "-i", "0.2", "-W", "1", "-I", "10.2.0.1", "10.1.0.5"]);
            lab.Host.RunUntil(() => false, TimeSpan.FromMilliseconds(300));
            Shell.Run("kill", ["-INT", tcpdump.Id.ToString()]);
            tcpdump.WaitForExit(5000);

            var ike = Assert.Single(lab.Engine.ExportIkeKeys());
            var esp = lab.Engine.ExportEspKeys();
            var args = new List<string> { "-r", capture, "-n",
                "-o", $"uat:ikev2_decryption_table:{ike.InitiatorSpi},{ike.ResponderSpi},{ike.SkEi},{ike.SkEr},\"{ike.EncryptionAlgorithm}\",{ike.SkAi},{ike.SkAr},\"{ike.IntegrityAlgorithm}\"",
                "-o", "esp.enable_encryption_decode:TRUE" };
            foreach (var k in esp)
                args.AddRange(["-o", $"uat:esp_sa:\"{k.Protocol}\",\"{k.SourceAddress}\",\"{k.DestinationAddress}\",\"{k.Spi}\",\"{k.EncryptionAlgorithm}\",\"{k.EncryptionKey}\",\"{k.AuthenticationAlgorithm}\",\"{k.AuthenticationKey}\""]);

            var (code, ids) = Shell.Run("tshark", [.. args, "-Y", "isakmp.id.data.fqdn", "-T", "fields", "-e", "isakmp.id.data.fqdn"]);
            Assert.True(code == 0, ids);
            Assert.Contains("petrel", ids);
            Assert.Contains("sw", ids.Replace("petrel", ""));

            var (_, icmp) = Shell.Run("tshark", [.. args, "-Y", "icmp && esp", "-T", "fields", "-e", "ip.src", "-e", "ip.dst"]);
            Assert.Contains("10.2.0.1", icmp);
            Assert.Contains("10.1.0.5", icmp);
        }
        finally
        {
            if (!tcpdump.HasExited) tcpdump.Kill();
            File.Delete(capture);
        }
    }

    private static void StrongSwanInitiates(string ike, string esp)
    {
        using var lab = new InteropLab(ike, esp);

        var (code, output) = lab.SwanctlWhilePumping(Timeout, "--initiate", "--child", "net", "--timeout", "20");

        Assert.True(code == 0, $"swanctl --initiate failed ({code}): {output}{lab.Diagnostics}");
        var sa = Assert.Single(lab.Engine.ListSas());
        Assert.Equal("ESTABLISHED", sa.State);
        Assert.False(sa.Initiator);
        Assert.Equal("sw", sa.RemoteId);
        Assert.True(sa.NatRemote, "strongSwan's faked NAT should have been detected");
        var child = Assert.Single(sa.Children);
        Assert.Equal("INSTALLED", child.State);
        // Both address families in one CHILD_SA, as the lab configures it.
        Assert.Equal(["10.1.0.0/24", "2001:db8:1::/64"], child.LocalTs);
        Assert.Equal(["10.2.0.0/24", "2001:db8:2::/64"], child.RemoteTs);
        Assert.Equal(2, lab.Kernel.Sas.Count);
        Assert.True(lab.Kernel.Outbound.UdpEncapsulation);
        Assert.Equal(4500, lab.Kernel.Outbound.Destination.Port);

        var list = lab.Sw.Swanctl("--list-sas").Output;
        Assert.Contains("ESTABLISHED", list);
        Assert.Contains("INSTALLED", list);
        Assert.Contains(child.SpiIn, list);
        Assert.Contains(child.SpiOut, list);

        // strongSwan rekeys the CHILD_SA (CREATE_CHILD_SA with REKEY_SA), then deletes the old one.
        (code, output) = lab.SwanctlWhilePumping(Timeout, "--rekey", "--child", "net");
        Assert.True(code == 0, $"swanctl --rekey failed: {output}{lab.Diagnostics}");
        Assert.True(lab.Host.RunUntil(() => lab.Engine.ListSas()[0].Children.Count == 1 && lab.Engine.ListSas()[0].Children[0].SpiIn != child.SpiIn,
            TimeSpan.FromSeconds(10)), lab.Diagnostics);
        var rekeyed = Assert.Single(Assert.Single(lab.Engine.ListSas()).Children);
        Assert.Equal(2, lab.Kernel.Sas.Count);
        Assert.Contains(rekeyed.SpiIn, lab.Sw.Swanctl("--list-sas").Output);

        // Delete the CHILD_SA from strongSwan, then the IKE SA.
        (code, output) = lab.SwanctlWhilePumping(Timeout, "--terminate", "--child", "net", "--timeout", "10");
        Assert.True(code == 0, $"swanctl --terminate --child failed: {output}{lab.Diagnostics}");
        Assert.True(lab.Host.RunUntil(() => lab.Kernel.Sas.Count == 0, TimeSpan.FromSeconds(5)), lab.Diagnostics);
        Assert.Empty(lab.Kernel.Policies);

        (code, output) = lab.SwanctlWhilePumping(Timeout, "--terminate", "--ike", "eng", "--timeout", "10");
        Assert.True(code == 0, $"swanctl --terminate --ike failed: {output}{lab.Diagnostics}");
        Assert.True(lab.Host.RunUntil(() => lab.Engine.ListSas().Count == 0, TimeSpan.FromSeconds(5)), lab.Diagnostics);
    }

    private static void EngineInitiates(string ike, string esp)
    {
        using var lab = new InteropLab(ike, esp);

        var result = lab.Pump(done => lab.Engine.Initiate("eng", null, done), Timeout);

        Assert.True(result is { Success: true }, $"initiate: {result?.Message ?? "timed out"}{lab.Diagnostics}");
        var sa = Assert.Single(lab.Engine.ListSas());
        Assert.Equal("ESTABLISHED", sa.State);
        Assert.True(sa.Initiator);
        var child = Assert.Single(sa.Children);
        Assert.Equal(["10.1.0.0/24", "2001:db8:1::/64"], child.LocalTs);
        Assert.True(lab.Kernel.Outbound.UdpEncapsulation);
        Assert.Equal(SaDirection.Outbound, lab.Kernel.Outbound.Direction);

        var list = lab.Sw.Swanctl("--list-sas").Output;
        Assert.Contains("ESTABLISHED", list);
        Assert.Contains("INSTALLED", list);
        Assert.Contains(child.SpiIn, list);

        // Delete the CHILD_SA from our side: strongSwan keeps the IKE SA but loses the CHILD_SA.
        result = lab.Pump(done => lab.Engine.Terminate("eng", "net", done), Timeout);
        Assert.True(result is { Success: true }, $"terminate child: {result?.Message ?? "timed out"}{lab.Diagnostics}");
        Assert.Empty(lab.Kernel.Sas);
        list = lab.Sw.Swanctl("--list-sas").Output;
        Assert.Contains("ESTABLISHED", list);
        Assert.DoesNotContain("INSTALLED", list);

        // A second CHILD_SA through CREATE_CHILD_SA, then delete the whole IKE SA.
        result = lab.Pump(done => lab.Engine.Initiate("eng", "net", done), Timeout);
        Assert.True(result is { Success: true }, $"CREATE_CHILD_SA: {result?.Message ?? "timed out"}{lab.Diagnostics}");
        Assert.Contains("INSTALLED", lab.Sw.Swanctl("--list-sas").Output);

        result = lab.Pump(done => lab.Engine.Terminate("eng", null, done), Timeout);
        Assert.True(result is { Success: true }, $"terminate: {result?.Message ?? "timed out"}{lab.Diagnostics}");
        Assert.Empty(lab.Engine.ListSas());
        Assert.Empty(lab.Kernel.Sas);
        Assert.True(lab.Host.RunUntil(() => !lab.Sw.Swanctl("--list-sas").Output.Contains("ESTABLISHED"), TimeSpan.FromSeconds(5)),
            lab.Sw.Swanctl("--list-sas").Output + lab.Diagnostics);
    }
}

using Petrel.Ike.Certificates;

namespace Petrel.Ike.Tests.Interop;

/// <summary>
/// auth = pubkey against a real strongSwan 5.9.8: RSA and ECDSA certificates, either side initiating, IKE SA and
/// CHILD_SA up with each side showing the other's certificate subject as its identity; and a certificate strongSwan
/// must refuse (expired, untrusted CA) failing on both sides with the reason.
/// </summary>
[Collection("strongSwan interop")]
public class CertificateInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(25);

    [RootFact]
    public void StrongSwan_initiates_with_rsa_certificates() => StrongSwanInitiates(KeyKind.Rsa, 2048, "aes128-sha256-modp2048");

    [RootFact]
    public void Engine_initiates_with_rsa_certificates() => EngineInitiates(KeyKind.Rsa, 2048, "aes128-sha256-modp2048");

    [RootFact]
    public void StrongSwan_initiates_with_ecdsa_certificates() => StrongSwanInitiates(KeyKind.Ecdsa, 256, "aes128gcm16-prfsha256-ecp256");

    [RootFact]
    public void Engine_initiates_with_ecdsa_p384_certificates() => EngineInitiates(KeyKind.Ecdsa, 384, "aes256gcm16-prfsha384-ecp384");

    [RootFact]
    public void StrongSwan_refuses_our_expired_certificate_and_we_learn_it()
    {
        using var lab = new CertificateInteropLab(KeyKind.Ecdsa, 256, "aes128gcm16-prfsha256-ecp256", engineCertExpired: true);

        var result = lab.Pump(done => lab.Engine.Initiate("eng", null, done), Timeout);

        Assert.True(result is { Success: false }, $"initiate should fail: {result?.Message}{lab.Diagnostics}");
        Assert.Contains("AUTHENTICATION_FAILED", result!.Message);
        Assert.Empty(lab.Engine.ListSas());
        Assert.Contains("certificate was not valid", lab.Sw.TailLog(200) + " (charon: 'certificate was not valid' expected)");
    }

    [RootFact]
    public void StrongSwan_refuses_our_certificate_of_a_ca_it_does_not_trust()
    {
        // strongSwan trusts another CA, so after we accepted its certificate it cannot verify ours.
        using var lab = new CertificateInteropLab(KeyKind.Ecdsa, 256, "aes128gcm16-prfsha256-ecp256", strongSwanTrustsOtherCa: true);

        var (code, output) = lab.SwanctlWhilePumping(Timeout, "--initiate", "--child", "net", "--timeout", "10");

        Assert.NotEqual(0, code);
        // strongSwan authenticates first in IKE_AUTH; we accept it (it is under our root) and answer; strongSwan cannot verify us.
        Assert.Contains($"authentication of '{CertificateInteropLab.StrongSwanDn}' with", lab.Log.All);
        var charon = output + lab.Sw.TailLog(200);
        Assert.Contains($"no issuer certificate found for \"{CertificateInteropLab.EngineDn}\"", charon);
        Assert.Contains($"no trusted ECDSA public key found for '{CertificateInteropLab.EngineDn}'", charon);
        Assert.Contains("N(AUTH_FAILED)", charon);
        Assert.True(lab.Host.RunUntil(() => lab.Engine.ListSas().Count == 0, TimeSpan.FromSeconds(5)), lab.Diagnostics);
    }

    private static void StrongSwanInitiates(KeyKind kind, int bits, string ike)
    {
        using var lab = new CertificateInteropLab(kind, bits, ike);

        var (code, output) = lab.SwanctlWhilePumping(Timeout, "--initiate", "--child", "net", "--timeout", "20");

        Assert.True(code == 0, $"swanctl --initiate failed ({code}): {output}{lab.Diagnostics}");
        var sa = Assert.Single(lab.Engine.ListSas());
        Assert.Equal("ESTABLISHED", sa.State);
        Assert.False(sa.Initiator);
        CheckBothSides(lab, sa);
    }

    private static void EngineInitiates(KeyKind kind, int bits, string ike)
    {
        using var lab = new CertificateInteropLab(kind, bits, ike);

        var result = lab.Pump(done => lab.Engine.Initiate("eng", null, done), Timeout);

        Assert.True(result is { Success: true }, $"initiate: {result?.Message ?? "timed out"}{lab.Diagnostics}");
        var sa = Assert.Single(lab.Engine.ListSas());
        Assert.True(sa.Initiator);
        CheckBothSides(lab, sa);
    }

    private static void CheckBothSides(CertificateInteropLab lab, IkeSaInfo sa)
    {
        Assert.Equal(CertificateInteropLab.StrongSwanDn, sa.RemoteId);
        Assert.Equal(CertificateInteropLab.EngineDn, sa.LocalId);
        var child = Assert.Single(sa.Children);
        Assert.Equal("INSTALLED", child.State);
        Assert.Equal(2, lab.Kernel.Sas.Count);

        var list = lab.Sw.Swanctl("--list-sas").Output;
        Assert.Contains("ESTABLISHED", list);
        Assert.Contains("INSTALLED", list);
        Assert.Contains(child.SpiIn, list);
        // strongSwan's view: local = its certificate's subject, remote = ours.
        Assert.Contains($"local  '{CertificateInteropLab.StrongSwanDn}'", list);
        Assert.Contains($"remote '{CertificateInteropLab.EngineDn}'", list);
        // strongSwan verified our signature and we verified its one.
        Assert.Contains($"authentication of '{CertificateInteropLab.EngineDn}' with", lab.Sw.TailLog(400));
        Assert.Contains($"authentication of '{CertificateInteropLab.StrongSwanDn}' with", lab.Log.All);
    }
}

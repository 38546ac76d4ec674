using Org.BouncyCastle.X509;
using Petrel.Crypto.Primitives;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;
using Petrel.Ike.Tests.Ike;

namespace Petrel.Ike.Tests.Interop;

/// <summary>
/// The engine and strongSwan authenticating each other with certificates: one root CA, a certificate each, written
/// for strongSwan as PEM into x509/, x509ca/ and private/ beside its swanctl.conf (what swanctl --load-all reads).
/// No ids are configured locally, so each side is known by its certificate's subject DN; each side pins the other's DN
/// as remote id.
/// </summary>
internal sealed class CertificateInteropLab : IDisposable
{
    public const string EngineDn = "C=CH, O=Petrel Interop, CN=petrel.interop.test";
    public const string StrongSwanDn = "C=CH, O=Petrel Interop, CN=sw.interop.test";

    public StrongSwanPeer Sw { get; }
    public UdpIkeHost Host { get; }
    public FakeKernel Kernel { get; } = new(0xc2000000);
    public LogCollector Log { get; } = new();
    public IkeEngine Engine { get; }

    /// <param name="strongSwanCa">The CA strongSwan trusts (the engine's root unless a test wants it to refuse us).</param>
    public CertificateInteropLab(KeyKind kind, int bits, string ike, bool engineCertExpired = false, bool strongSwanTrustsOtherCa = false)
    {
        var now = DateTime.UtcNow;
        var rootKey = CertificateBuilder.GenerateKey(kind, bits);
        var root = CertificateBuilder.SelfSignedCa(rootKey, "C=CH, O=Petrel Interop, CN=Interop Root CA", now.AddDays(-30), now.AddYears(1));
        var engineKey = CertificateBuilder.GenerateKey(kind, bits);
        var engineCert = CertificateBuilder.Issue(engineKey.PublicKey, EngineDn, ["petrel.interop.test", StrongSwanPeer.HostAddress.ToString()],
            root, rootKey, now.AddDays(-20), engineCertExpired ? now.AddDays(-1) : now.AddDays(60));
        var swKey = CertificateBuilder.GenerateKey(kind, bits);
        var swCert = CertificateBuilder.Issue(swKey.PublicKey, StrongSwanDn, ["sw.interop.test"], root, rootKey, now.AddDays(-20), now.AddDays(60));
        X509Certificate swTrusts = root;
        if (strongSwanTrustsOtherCa)
        {
            var otherKey = CertificateBuilder.GenerateKey(kind, bits);
            swTrusts = CertificateBuilder.SelfSignedCa(otherKey, "C=CH, O=Elsewhere, CN=Other CA", now.AddDays(-30), now.AddYears(1));
        }

        Sw = new StrongSwanPeer();
        try
        {
            string dir = Sw.ConfigDirectory;
            Write(Path.Combine(dir, "x509ca", "caCert.pem"), CertificateBuilder.CertificatePem(swTrusts));
            Write(Path.Combine(dir, "x509", "swCert.pem"), CertificateBuilder.CertificatePem(swCert));
            Write(Path.Combine(dir, "private", "swKey.pem"), CertificateBuilder.PrivateKeyPem(swKey));

            Host = new UdpIkeHost(StrongSwanPeer.HostAddress);
            Engine = new IkeEngine(new IkeEngineOptions { RetransmitTimeout = TimeSpan.FromSeconds(2) }, Kernel, Host, SystemClock.Instance, SystemRandom.Instance, Log);
            Host.Engine = Engine;
            var store = new CertificateStore();
            store.AddCa(root, "caCert.pem");
            store.AddCertificate(engineCert, "petrelCert.pem");
            store.AddKey(engineKey);
            Engine.Load([Connection(ike)], [], store);
            Sw.Load(SwanctlConf(ike));
        }
        catch
        {
            Host?.Dispose();
            Sw.Dispose();
            throw;
        }
    }

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static ConnectionConfig Connection(string ike) => new()
    {
        Name = "eng",
        LocalAddrs = [StrongSwanPeer.HostAddress.ToString()],
        RemoteAddrs = [StrongSwanPeer.PeerAddress.ToString()],
        Proposals = ProposalParser.Parse(ike, SecurityProtocol.Ike),
        Local = new AuthConfig { Auth = "pubkey", Certs = ["petrelCert.pem"] },
        Remote = new AuthConfig { Auth = "pubkey", Id = StrongSwanDn },
        Children =
        [
            new ChildConfig
            {
                Name = "net", LocalTs = ["10.1.0.0/24"], RemoteTs = ["10.2.0.0/24"],
                EspProposals = ProposalParser.Parse("aes128gcm16", SecurityProtocol.Esp),
            },
        ],
    };

    private static string SwanctlConf(string ike) => $$"""
        connections {
          eng {
            version = 2
            local_addrs = {{StrongSwanPeer.PeerAddress}}
            remote_addrs = {{StrongSwanPeer.HostAddress}}
            encap = yes
            proposals = {{ike}}
            dpd_delay = 0
            local {
              auth = pubkey
              certs = swCert.pem
            }
            remote {
              auth = pubkey
              id = "{{EngineDn}}"
            }
            children {
              net {
                local_ts = 10.2.0.0/24
                remote_ts = 10.1.0.0/24
                esp_proposals = aes128gcm16
                start_action = none
              }
            }
          }
        }
        """;

    /// <summary>Runs swanctl (which blocks until charon is done) while our engine keeps answering.</summary>
    public (int Code, string Output) SwanctlWhilePumping(TimeSpan timeout, params string[] args)
    {
        using var p = Sw.StartSwanctl(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        bool exited = Host.RunUntil(() => p.HasExited, timeout);
        if (!exited) p.Kill();
        p.WaitForExit();
        return (exited ? p.ExitCode : -1, stdout.Result + stderr.Result);
    }

    public InitiateResult? Pump(Action<Action<InitiateResult>> start, TimeSpan timeout)
    {
        InitiateResult? result = null;
        start(r => result = r);
        Host.RunUntil(() => result is not null, timeout);
        return result;
    }

    public string Diagnostics => $"\n--- engine log ---\n{Log.Tail()}\n--- charon log ---\n{Sw.TailLog(80)}";

    public void Dispose()
    {
        Host?.Dispose();
        Sw.Dispose();
    }
}

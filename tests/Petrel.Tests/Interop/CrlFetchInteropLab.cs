using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>
/// The namespace pair of <see cref="CrlFetchInteropTests"/>: a CA made by <c>petrel pki</c> (ECDSA), a gateway certificate
/// for Petrel (right) and two client certificates for strongSwan (left) whose cRLDistributionPoints name an HTTP server in
/// the responder's namespace (python3 http.server on right's LAN address, started once and stopped by PID with the pair);
/// the server holds the CA's CRL (DER) revoking one of the two clients and a gateway certificate for strongSwan as responder.
/// </summary>
public sealed class CrlFetchInteropLab : LabFixture
{
    public const string RightDn = "C=CH, O=Petrel Lab, CN=right.petrel.test";
    public const string GoodDn = "C=CH, O=Petrel Lab, CN=good-client";
    public const string RevokedDn = "C=CH, O=Petrel Lab, CN=revoked-client";
    public const string RevokedGatewayDn = "C=CH, O=Petrel Lab, CN=revoked-gateway";
    private const int Port = 8081;

    private LabPki? _pki;
    private PeerPair? _peers;
    private StartedProcess? _http;
    private readonly object _gate = new();

    protected override string Tag => "crl";

    public string CrlUrl => $"http://{Lab.Right.LanV4}:{Port}/ca.crl";

    public PeerPair Peers
    {
        get
        {
            lock (_gate) return _peers ??= new PeerPair(Lab, Lab.Right, Lab.Left);
        }
    }

    public LabPki Pki
    {
        get
        {
            lock (_gate) return _pki ??= Make();
        }
    }

    /// <summary>The HTTP server's request log (python's http.server writes one line per GET).</summary>
    public string HttpLog => _http is null ? "" : File.ReadAllText(_http.LogPath);

    private LabPki Make()
    {
        var lab = Lab;
        var pki = new LabPki(Path.Combine(lab.WorkDir, "pki"), LabPkiTool.Petrel, "ecdsa");
        pki.Ca("ca", "C=CH, O=Petrel Lab, CN=CRL CA");
        pki.Issue("ca", "right", RightDn, [lab.Right.OuterV4]);
        pki.Issue("ca", "good", GoodDn, [lab.Left.OuterV4], crlUris: [CrlUrl]);
        pki.Issue("ca", "revoked", RevokedDn, [lab.Left.OuterV4], crlUris: [CrlUrl]);
        // strongSwan as responder with a revoked certificate, for Petrel checking it as initiator.
        pki.Issue("ca", "revoked-gw", RevokedGatewayDn, [lab.Left.OuterV4], crlUris: [CrlUrl]);
        string crl = pki.Revoke("ca", "revoked", "revoked-gw");

        // The distribution point serves DER, as strongSwan's pki --signcrl writes by default.
        string www = Path.Combine(lab.WorkDir, "crl-www");
        Directory.CreateDirectory(www);
        CommandRunner.Run("openssl", "crl", "-in", crl, "-outform", "DER", "-out", Path.Combine(www, "ca.crl")).EnsureSuccess();
        _http = lab.Start(lab.Right, "crl-http.log", ["python3", "-u", "-m", "http.server", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", lab.Right.LanV4, "--directory", www]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!lab.Exec(lab.Right, TimeSpan.FromSeconds(5), "python3", "-c",
            $"import socket; socket.create_connection(('{lab.Right.LanV4}', {Port}), 1)").Succeeded)
        {
            if (DateTime.UtcNow > deadline || _http.HasExited)
                throw new InvalidOperationException("the CRL HTTP server did not start: " + HttpLog);
            Thread.Sleep(100);
        }
        return pki;
    }
}

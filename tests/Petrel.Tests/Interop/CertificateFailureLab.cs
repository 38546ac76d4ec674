using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>
/// The namespace pair of <see cref="CertificateFailureTests"/> and its PKI (made once by <c>petrel pki</c>,
/// ECDSA): CA "good" and CA "other"; left/right certificates from each CA, expired ones and revoked ones with
/// the good CA's CRL.
/// </summary>
public sealed class CertificateFailureLab : LabFixture
{
    public const string LeftDn = "C=CH, O=Petrel Lab, CN=left.petrel.test";
    public const string RightDn = "C=CH, O=Petrel Lab, CN=right.petrel.test";

    private LabPki? _pki;
    private PeerPair? _peers;
    private readonly object _gate = new();

    protected override string Tag => "cf";

    /// <summary>Petrel (right) and charon (left), reconfigured for each case.</summary>
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

    private LabPki Make()
    {
        var lab = Lab;
        var pki = new LabPki(Path.Combine(lab.WorkDir, "pki"), LabPkiTool.Petrel, "ecdsa");
        pki.Ca("good", "C=CH, O=Petrel Lab, CN=Good CA");
        pki.Ca("other", "C=CH, O=Elsewhere, CN=Other CA");
        foreach (var (side, dn, ip) in new[] { ("left", LeftDn, lab.Left.OuterV4), ("right", RightDn, lab.Right.OuterV4) })
        {
            pki.Issue("good", side, dn, [ip]);
            pki.Issue("other", side + "-other", dn, [ip]);
            pki.Issue("good", side + "-expired", dn, [ip], new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            pki.Issue("good", side + "-revoked", dn, [ip]);
        }
        pki.Revoke("good", "left-revoked", "right-revoked");
        return pki;
    }
}

using System.Net;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Certificates;
using Petrel.Ike.Config;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// Certificates for engine tests, valid around the <see cref="VirtualClock"/>'s wall time: a root CA, an
/// intermediate CA below it, and a second unrelated root ("other CA"). Keys are made once per process, since
/// RSA key generation costs seconds.
/// </summary>
internal sealed class EnginePki
{
    public static readonly DateTime Now = new VirtualClock().UtcNow.UtcDateTime;

    private static readonly Lazy<EnginePki> Instance = new(() => new EnginePki());
    public static EnginePki Shared => Instance.Value;

    private readonly Dictionary<(KeyKind, int, int), PrivateKey> _keys = [];

    private EnginePki()
    {
        RootKey = CertificateBuilder.GenerateKey(KeyKind.Ecdsa, 256);
        Root = CertificateBuilder.SelfSignedCa(RootKey, "C=CH, O=Petrel Test, CN=Root CA", Now.AddYears(-1), Now.AddYears(5));
        IntermediateKey = CertificateBuilder.GenerateKey(KeyKind.Ecdsa, 384);
        Intermediate = CertificateBuilder.Issue(IntermediateKey.PublicKey, "C=CH, O=Petrel Test, CN=Intermediate CA", [],
            Root, RootKey, Now.AddYears(-1), Now.AddYears(4), isCa: true);
        OtherRootKey = CertificateBuilder.GenerateKey(KeyKind.Ecdsa, 256);
        OtherRoot = CertificateBuilder.SelfSignedCa(OtherRootKey, "C=CH, O=Elsewhere, CN=Other CA", Now.AddYears(-1), Now.AddYears(5));
    }

    public PrivateKey RootKey { get; }
    public X509Certificate Root { get; }
    public PrivateKey IntermediateKey { get; }
    public X509Certificate Intermediate { get; }
    public PrivateKey OtherRootKey { get; }
    public X509Certificate OtherRoot { get; }

    /// <summary>A key of the kind; slot tells apart keys that must differ (left, right …), and is reused across tests.</summary>
    public PrivateKey Key(KeyKind kind, int bits, int slot)
    {
        lock (_keys)
        {
            if (!_keys.TryGetValue((kind, bits, slot), out var key))
                _keys[(kind, bits, slot)] = key = CertificateBuilder.GenerateKey(kind, bits);
            return key;
        }
    }

    public X509Certificate Issue(PrivateKey key, string dn, string[]? sans = null, bool viaIntermediate = false, bool byOtherCa = false,
        DateTime? notBefore = null, DateTime? notAfter = null)
    {
        var (ca, caKey) = byOtherCa ? (OtherRoot, OtherRootKey) : viaIntermediate ? (Intermediate, IntermediateKey) : (Root, RootKey);
        return CertificateBuilder.Issue(key.PublicKey, dn, sans ?? [], ca, caKey, notBefore ?? Now.AddDays(-10), notAfter ?? Now.AddDays(365));
    }

    /// <summary>A store as one side holds it: its own certificate and key, the CA certificates it trusts, and optionally CRLs.</summary>
    public CertificateStore Store(X509Certificate? own, PrivateKey? ownKey, IEnumerable<X509Certificate> cas, params X509Crl[] crls)
    {
        var store = new CertificateStore();
        foreach (var ca in cas) store.AddCa(ca, FileName(ca));
        if (own is not null) store.AddCertificate(own, FileName(own));
        if (ownKey is not null) store.AddKey(ownKey);
        foreach (var crl in crls) store.AddCrl(crl);
        return store;
    }

    public X509Crl Revoke(X509Certificate cert, DateTime at, bool byIntermediate = false) =>
        CertificateBuilder.Crl(byIntermediate ? Intermediate : Root, byIntermediate ? IntermediateKey : RootKey,
            [(cert.SerialNumber, at, 1)], at, at.AddDays(7));

    /// <summary>The name under which <see cref="Store"/> registers a certificate, for local.certs / remote.cacerts.</summary>
    public static string FileName(X509Certificate cert) => cert.SerialNumber.ToString(16) + ".pem";

    public static ConnectionConfig Connection(string name, IPAddress? local, IPAddress? remote, string? localId = null, string? remoteId = null,
        string[]? localCerts = null, string[]? remoteCacerts = null, string localAuth = "pubkey", string remoteAuth = "pubkey",
        string ike = "aes128gcm16-prfsha256-ecp256", string esp = "aes128gcm16", string[]? localTs = null, string[]? remoteTs = null,
        string fragmentation = "yes", RevocationPolicy revocation = RevocationPolicy.Relaxed) => new()
    {
        Name = name,
        Fragmentation = fragmentation,
        LocalAddrs = local is null ? [] : [local.ToString()],
        RemoteAddrs = remote is null ? [] : [remote.ToString()],
        Proposals = ProposalParser.Parse(ike, SecurityProtocol.Ike),
        Local = new AuthConfig { Auth = localAuth, Id = localId, Certs = localCerts ?? [] },
        Remote = new AuthConfig { Auth = remoteAuth, Id = remoteId, CaCerts = remoteCacerts ?? [], Revocation = revocation },
        Children =
        [
            new ChildConfig
            {
                Name = "net",
                LocalTs = localTs ?? ["dynamic"],
                RemoteTs = remoteTs ?? ["dynamic"],
                EspProposals = ProposalParser.Parse(esp, SecurityProtocol.Esp),
            },
        ],
    };

    public static BigInteger Serial(X509Certificate cert) => cert.SerialNumber;
}

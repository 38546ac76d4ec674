using System.Net;
using Org.BouncyCastle.X509;
using Petrel.Ike.Certificates;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Tests.Ike;

/// <summary>
/// auth = pubkey between two engines: every key type and AUTH method, chains with intermediates sent in CERT
/// payloads, and each failure (untrusted CA, expired, revoked, id mismatch, tampered AUTH) on the side that
/// detects it, with the log line that names the certificate and the reason.
/// </summary>
public class CertificateAuthTests
{
    private static readonly IPAddress L = ExchangeFixture.LeftAddress, R = ExchangeFixture.RightAddress;
    private const string LeftDn = "C=CH, O=Petrel Test, CN=left.petrel.test";
    private const string RightDn = "C=CH, O=Petrel Test, CN=right.petrel.test";

    private static EnginePki Pki => EnginePki.Shared;

    private sealed record Setup(ExchangeFixture F, X509Certificate LeftCert, X509Certificate RightCert);

    /// <summary>
    /// Left's certificate comes from the intermediate CA (when asked) and left holds that intermediate; right holds only
    /// the root, so it can only validate left through the intermediate left sends in a CERT payload.
    /// </summary>
    private static Setup Create(KeyKind kind = KeyKind.Ecdsa, int bits = 256, bool intermediate = false, string leftAuth = "pubkey",
        IkeEngineOptions? options = null, X509Certificate? leftCert = null, X509Certificate? rightCert = null,
        string? rightRemoteId = null, string? leftRemoteId = null, X509Crl[]? rightCrls = null, X509Crl[]? leftCrls = null)
    {
        var leftKey = Pki.Key(kind, bits, 1);
        var rightKey = Pki.Key(kind, bits, 2);
        leftCert ??= Pki.Issue(leftKey, LeftDn, ["left.petrel.test"], viaIntermediate: intermediate);
        rightCert ??= Pki.Issue(rightKey, RightDn, ["right.petrel.test", R.ToString()]);
        var f = new ExchangeFixture(options, options);
        f.Left.Engine.Load([EnginePki.Connection("site", L, R, localAuth: leftAuth, remoteId: leftRemoteId, localTs: ["10.1.0.0/24"], remoteTs: ["10.2.0.0/24"])], [],
            Pki.Store(leftCert, leftKey, [Pki.Root, Pki.Intermediate], leftCrls ?? []));
        f.Right.Engine.Load([EnginePki.Connection("site", R, L, remoteId: rightRemoteId, localTs: ["10.2.0.0/24"], remoteTs: ["10.1.0.0/24"])], [],
            Pki.Store(rightCert, rightKey, [Pki.Root], rightCrls ?? []));
        return new Setup(f, leftCert, rightCert);
    }

    public static TheoryData<string, KeyKind, int, string, bool, bool, string> Methods => new()
    {
        // name, key, bits, local auth, RFC 7427 on, left certificate via intermediate, what left signs with
        { "RSA PKCS#1 v1.5 (RFC 7427)", KeyKind.Rsa, 2048, "pubkey", true, false, "RsaPkcs1Sha256 (AUTH method 14)" },
        { "RSA-PSS (RFC 7427)", KeyKind.Rsa, 2048, "rsa/pss", true, true, "RsaPssSha256 (AUTH method 14)" },
        { "RSA classic", KeyKind.Rsa, 2048, "pubkey", false, true, "RsaPkcs1Sha1 (AUTH method 1)" },
        { "ECDSA P-256 (RFC 7427)", KeyKind.Ecdsa, 256, "pubkey", true, true, "EcdsaSha256 (AUTH method 14)" },
        { "ECDSA P-384 (RFC 7427)", KeyKind.Ecdsa, 384, "pubkey", true, false, "EcdsaSha384 (AUTH method 14)" },
        { "ECDSA P-256 classic", KeyKind.Ecdsa, 256, "pubkey", false, false, "EcdsaSha256 (AUTH method 9)" },
        { "ECDSA P-384 classic", KeyKind.Ecdsa, 384, "pubkey", false, true, "EcdsaSha384 (AUTH method 10)" },
        { "ECDSA P-521 classic", KeyKind.Ecdsa, 521, "pubkey", false, false, "EcdsaSha512 (AUTH method 11)" },
        { "Ed25519 (RFC 8420)", KeyKind.Ed25519, 256, "pubkey", true, true, "Ed25519 (AUTH method 14)" },
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void Both_ends_authenticate_with_certificates(string name, KeyKind kind, int bits, string leftAuth, bool rfc7427, bool intermediate, string leftSigns)
    {
        var s = Create(kind, bits, intermediate, leftAuth, new IkeEngineOptions { SignatureAuthentication = rfc7427 });

        var result = s.F.Initiate();

        Assert.True(result is { Success: true }, $"{name}: {result?.Message}\n{s.F.Left.Log.All}\n{s.F.Right.Log.All}");
        var left = s.F.LeftSa;
        var right = s.F.RightSa;
        Assert.Equal("ESTABLISHED", left.State);
        Assert.Equal("ESTABLISHED", right.State);
        // No local.id: each side is known by its certificate's subject (ID_DER_ASN1_DN), as strongSwan does.
        Assert.Equal(LeftDn, left.LocalId);
        Assert.Equal(RightDn, left.RemoteId);
        Assert.Equal(LeftDn, right.RemoteId);
        Assert.Equal(RightDn, right.LocalId);
        Assert.Equal("INSTALLED", Assert.Single(left.Children).State);
        Assert.Equal(Assert.Single(left.Children).SpiOut, Assert.Single(right.Children).SpiIn);
        Assert.Contains($"authenticating with {leftSigns}", s.F.Left.Log.All);
        Assert.Contains($"authentication of '{LeftDn}' with", s.F.Right.Log.All);
        Assert.Contains($"authentication of '{RightDn}' with", s.F.Left.Log.All);
        Assert.Contains($"{(intermediate ? 1 : 0)} intermediate CA(s) sent", s.F.Left.Log.All);
    }

    [Fact]
    public void Responder_side_initiates_too()
    {
        var s = Create(KeyKind.Ecdsa, 256, intermediate: true);

        InitiateResult? result = null;
        s.F.Right.Engine.Initiate("site", null, r => result = r);
        s.F.Network.Run();

        Assert.True(result is { Success: true }, result?.Message + "\n" + s.F.Left.Log.All + "\n" + s.F.Right.Log.All);
        Assert.True(s.F.RightSa.Initiator);
        Assert.Equal(LeftDn, s.F.RightSa.RemoteId);
        Assert.Equal(RightDn, s.F.LeftSa.RemoteId);
    }

    [Fact]
    public void Configured_ids_match_subject_alt_names_and_dn_wildcards()
    {
        var s = Create(rightRemoteId: "C=CH, O=Petrel Test, CN=*", leftRemoteId: "right.petrel.test");

        var result = s.F.Initiate();

        Assert.True(result is { Success: true }, result?.Message + "\n" + s.F.Right.Log.All);
        Assert.Equal(RightDn, s.F.LeftSa.RemoteId);
    }

    public enum Fault { UntrustedCa, Expired, Revoked, IdMismatch }

    /// <summary>The fault is in the certificate of one side; the other side refuses it and says which certificate and why.</summary>
    [Theory]
    [InlineData(Fault.UntrustedCa, true, "no trusted chain: issuer 'C=CH,O=Elsewhere,CN=Other CA' of 'C=CH,O=Petrel Test,CN=left.petrel.test' is neither a trusted CA nor a known intermediate")]
    [InlineData(Fault.UntrustedCa, false, "no trusted chain: issuer 'C=CH,O=Elsewhere,CN=Other CA' of 'C=CH,O=Petrel Test,CN=right.petrel.test' is neither a trusted CA nor a known intermediate")]
    [InlineData(Fault.Expired, true, "certificate 'C=CH,O=Petrel Test,CN=left.petrel.test' expired on 2025-12-31")]
    [InlineData(Fault.Expired, false, "certificate 'C=CH,O=Petrel Test,CN=right.petrel.test' expired on 2025-12-31")]
    [InlineData(Fault.Revoked, true, "certificate 'C=CH,O=Petrel Test,CN=left.petrel.test' (serial")]
    [InlineData(Fault.Revoked, false, "certificate 'C=CH,O=Petrel Test,CN=right.petrel.test' (serial")]
    [InlineData(Fault.IdMismatch, true, "id mismatch: configured remote id 'C=CH, O=Petrel Test, CN=somebody.else' vs certificate 'C=CH, O=Petrel Test, CN=left.petrel.test'")]
    [InlineData(Fault.IdMismatch, false, "id mismatch: configured remote id '*.somewhere.else' vs certificate 'C=CH, O=Petrel Test, CN=right.petrel.test'")]
    public void A_bad_certificate_fails_with_the_reason_on_the_side_that_checks_it(Fault fault, bool leftIsBad, string reason)
    {
        var key = Pki.Key(KeyKind.Ecdsa, 256, leftIsBad ? 1 : 2);
        string dn = leftIsBad ? LeftDn : RightDn;
        string[] sans = leftIsBad ? ["left.petrel.test"] : ["right.petrel.test"];
        X509Certificate? bad = fault switch
        {
            Fault.UntrustedCa => Pki.Issue(key, dn, sans, byOtherCa: true),
            Fault.Expired => Pki.Issue(key, dn, sans, notBefore: EnginePki.Now.AddDays(-400), notAfter: EnginePki.Now.AddDays(-1)),
            Fault.Revoked => Pki.Issue(key, dn, sans),
            _ => null,
        };
        X509Crl[]? crl = fault == Fault.Revoked ? [Pki.Revoke(bad!, EnginePki.Now.AddDays(-2))] : null;
        var s = fault == Fault.IdMismatch
            ? Create(rightRemoteId: leftIsBad ? "C=CH, O=Petrel Test, CN=somebody.else" : null, leftRemoteId: leftIsBad ? null : "*.somewhere.else")
            : Create(leftCert: leftIsBad ? bad : null, rightCert: leftIsBad ? null : bad, rightCrls: leftIsBad ? crl : null, leftCrls: leftIsBad ? null : crl);

        var result = s.F.Initiate();

        Assert.True(result is { Success: false }, result?.Message);
        Assert.Empty(s.F.Left.Engine.ListSas());
        Assert.Empty(s.F.Right.Engine.ListSas());
        Assert.Empty(s.F.Left.Kernel.Sas);
        Assert.Empty(s.F.Right.Kernel.Sas);
        var checker = leftIsBad ? s.F.Right : s.F.Left;
        var line = Assert.Single(checker.Log.Lines, l => l.Contains("Warning:") && l.Contains(reason));
        if (fault == Fault.Revoked)
            Assert.Contains("was revoked on 2025-12-30 00:16:40 UTC, reason key compromise by the CRL of 'C=CH,O=Petrel Test,CN=Root CA'", line);
        // The side whose certificate was refused learns it from AUTHENTICATION_FAILED (RFC 7296 §2.21.2).
        if (leftIsBad)
        {
            Assert.Contains("sending AUTHENTICATION_FAILED", line);
            Assert.Contains("AUTHENTICATION_FAILED", result!.Message);
        }
        else
        {
            Assert.Contains("authentication of the peer failed", line);
            Assert.Contains("peer notified AUTHENTICATION_FAILED", s.F.Right.Log.All);
        }
    }

    [Fact]
    public void A_tampered_auth_signature_is_refused()
    {
        var s = Create(KeyKind.Ecdsa, 256);
        // Re-encrypt left's IKE_AUTH request with one bit of the AUTH signature flipped: only the signature check can notice.
        s.F.Network.Intercept(d => d.ExchangeType == (byte)ExchangeType.IkeAuth && !d.IsResponse, d =>
        {
            var sa = s.F.Left.Engine.FindSa(1)!;
            Assert.Equal(IkeDecodeStatus.Success, IkeMessage.TryDecode(d.Data, sa.CipherOut, out var m, out _));
            int i = m!.Payloads.FindIndex(p => p is AuthenticationPayload);
            var auth = (AuthenticationPayload)m.Payloads[i];
            var data = auth.Data.ToArray();
            data[^5] ^= 0x01;
            m.Payloads[i] = new AuthenticationPayload(auth.Method, data);
            var outer = new IkeMessage { InitiatorSpi = m.InitiatorSpi, ResponderSpi = m.ResponderSpi, ExchangeType = m.ExchangeType, Flags = m.Flags, MessageId = m.MessageId };
            outer.Payloads.AddRange(m.Payloads);
            d.Data = outer.Encode(sa.CipherOut!);
            return true;
        });

        var result = s.F.Initiate();

        Assert.True(result is { Success: false });
        Assert.Contains("AUTHENTICATION_FAILED", result!.Message);
        var line = Assert.Single(s.F.Right.Log.Lines, l => l.Contains("Warning:") && l.Contains("authentication of"));
        Assert.Contains($"AUTH of '{LeftDn}' does not verify", line);
        Assert.Contains("with the key of 'C=CH,O=Petrel Test,CN=left.petrel.test'", line);
        Assert.Empty(s.F.Right.Engine.ListSas());
    }

    [Fact]
    public void A_psk_peer_is_not_accepted_by_a_pubkey_connection()
    {
        var f = ExchangeFixture.Create();
        var key = Pki.Key(KeyKind.Ecdsa, 256, 2);
        var cert = Pki.Issue(key, RightDn);
        f.Right.Engine.Load([EnginePki.Connection("site", R, L, ike: "aes128-sha256-modp2048")], [EnginePeer.Secret("left-right-psk", "left", "right")],
            Pki.Store(cert, key, [Pki.Root]));

        var result = f.Initiate();

        Assert.True(result is { Success: false });
        Assert.Contains("no connection matches peer identity 'left' asking for 'right' authenticating with SharedKeyMessageIntegrityCode", f.Right.Log.All);
    }
}

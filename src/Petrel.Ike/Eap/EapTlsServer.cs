using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Petrel.Ike.Eap;

/// <summary>
/// EAP-TLS (RFC 5216) as authenticator on BouncyCastle's TLS server in non-blocking mode: Start, then TLS flights
/// in fragments both ways, the client certificate required and checked by <see cref="EapTlsCredentials.VerifyPeer"/>,
/// EAP-Success once the handshake is complete and the client acknowledged our Finished.
/// </summary>
public sealed class EapTlsServer : IEapServer
{
    /// <summary>strongSwan's eap-tls max_message_count: bounds the conversation.</summary>
    private const int MaxPackets = 32;
    private const int FragmentData = 1014;

    private readonly EapTlsCredentials _credentials;
    private readonly TlsServerProtocol _protocol = new();
    private readonly Server _server;
    private readonly EapTlsFraming _framing = new(FragmentData);
    private byte _identifier;
    private int _packets;

    public EapTlsServer(EapServerContext context, EapTlsCredentials credentials)
    {
        _credentials = credentials;
        _identifier = context.FirstIdentifier;
        _server = new Server(EapTlsBc.NewCrypto(), credentials);
    }

    public string Name => "EAP-TLS";
    public ReadOnlyMemory<byte> Msk { get; private set; }

    public EapServerStep Start()
    {
        _protocol.Accept(_server);
        return EapServerStep.Send(EapPacket.Request(_identifier, EapType.Tls, [EapTlsFraming.FlagStart]));
    }

    public EapServerStep Process(EapPacket response)
    {
        if (response.Identifier != _identifier)
            return EapServerStep.Fail(response.Identifier, $"EAP-TLS response with identifier {response.Identifier}, expected {_identifier}");
        if (++_packets > MaxPackets)
            return EapServerStep.Fail(_identifier, $"EAP-TLS took more than {MaxPackets} packets");
        var data = response.Data;
        if (EapTlsFraming.IsAck(data))
        {
            if (_framing.Sending) return Next(_framing.NextFragment());
            if (_server.Refusal is { } refused) return EapServerStep.Fail(_identifier, refused);
            if (_server.Complete)
            {
                Msk = _server.Msk;
                return EapServerStep.Succeed(_identifier);
            }
            return EapServerStep.Fail(_identifier, "EAP-TLS peer acknowledged without finishing the TLS handshake");
        }
        var message = _framing.Receive(data, out string error);
        if (error.Length > 0) return EapServerStep.Fail(_identifier, error);
        if (message is null) return Next(EapTlsFraming.Ack());
        try
        {
            _protocol.OfferInput(message);
        }
        catch (Exception e) when (e is TlsFatalAlert or IOException)
        {
            return EapServerStep.Fail(_identifier, _server.Refusal ?? $"EAP-TLS handshake failed: {e.Message}");
        }
        if (_server.Refusal is { } reason) return EapServerStep.Fail(_identifier, reason);
        int available = _protocol.GetAvailableOutputBytes();
        if (available == 0)
            return EapServerStep.Fail(_identifier, "EAP-TLS handshake stalled: nothing to answer");
        var output = new byte[available];
        _protocol.ReadOutput(output, 0, available);
        _framing.Queue(output);
        return Next(_framing.NextFragment());
    }

    private EapServerStep Next(byte[] typeData) => EapServerStep.Send(EapPacket.Request(++_identifier, EapType.Tls, typeData));

    private sealed class Server(BcTlsCrypto crypto, EapTlsCredentials own) : DefaultTlsServer(crypto)
    {
        public bool Complete { get; private set; }
        public string? Refusal { get; private set; }
        public byte[] Msk { get; private set; } = [];

        protected override ProtocolVersion[] GetSupportedVersions() => EapTlsBc.Versions;

        // RFC 5746: EAP-TLS never renegotiates, and strongSwan's TLS stack sends no renegotiation_info; BouncyCastle
        // would refuse such a peer with handshake_failure.
        public override void NotifySecureRenegotiation(bool secureRenegotiation) { }
        protected override int[] GetSupportedCipherSuites() => EapTlsBc.SuitesFor(own.Key);

        protected override TlsCredentialedSigner GetRsaSignerCredentials() =>
            EapTlsBc.Signer(m_context, crypto, own, m_context.SecurityParameters.ClientSigAlgs);
        protected override TlsCredentialedSigner GetECDsaSignerCredentials() =>
            EapTlsBc.Signer(m_context, crypto, own, m_context.SecurityParameters.ClientSigAlgs);

        // RFC 5216 §2.1.1: the server requests the peer's certificate; EAP-TLS authenticates the peer by it.
        public override CertificateRequest GetCertificateRequest() =>
            new([ClientCertificateType.rsa_sign, ClientCertificateType.ecdsa_sign],
                TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context), null);

        public override void NotifyClientCertificate(Certificate clientCertificate)
        {
            Refusal = EapTlsBc.Verify(clientCertificate, own) is { } why ? "EAP-TLS peer certificate refused: " + why : null;
            if (Refusal is not null)
                throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }

        public override void NotifyHandshakeComplete()
        {
            base.NotifyHandshakeComplete();
            Msk = EapTlsBc.Msk(m_context);
            Complete = true;
        }
    }
}

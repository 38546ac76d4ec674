using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Petrel.Ike.Eap;

/// <summary>
/// EAP-TLS (RFC 5216) as peer on BouncyCastle's TLS client in non-blocking mode: the server's certificate is
/// checked by <see cref="EapTlsCredentials.VerifyPeer"/>, ours is sent when asked; fragments are acknowledged and
/// sent as the server acknowledges them.
/// </summary>
public sealed class EapTlsPeer : IEapPeer
{
    private const int MaxPackets = 32;
    private const int FragmentData = 1014;

    private readonly TlsClientProtocol _protocol = new();
    private readonly Client _client;
    private readonly EapTlsFraming _framing = new(FragmentData);
    private bool _started;
    private int _packets;

    public EapTlsPeer(EapTlsCredentials credentials) => _client = new Client(EapTlsBc.NewCrypto(), credentials);

    public EapType Type => EapType.Tls;
    public ReadOnlyMemory<byte> Msk => _client.Msk;
    public bool Completed => _client.Complete;
    public string Refusal => _client.Refusal ?? "";

    public EapPeerStep Process(EapPacket request)
    {
        if (++_packets > MaxPackets)
            return EapPeerStep.Fail($"EAP-TLS took more than {MaxPackets} packets");
        var data = request.Data;
        if (data.Length >= 1 && (data[0] & EapTlsFraming.FlagStart) != 0)
        {
            if (_started) return EapPeerStep.Fail("second EAP-TLS Start");
            _started = true;
            try { _protocol.Connect(_client); }
            catch (Exception e) when (e is TlsFatalAlert or IOException) { return EapPeerStep.Fail($"EAP-TLS could not start: {e.Message}"); }
            return Flush(request.Identifier);
        }
        if (!_started) return EapPeerStep.Fail("EAP-TLS request before Start");
        if (EapTlsFraming.IsAck(data))
        {
            if (_framing.Sending) return Reply(request.Identifier, _framing.NextFragment());
            return EapPeerStep.Fail("EAP-TLS server acknowledged nothing we sent");
        }
        var message = _framing.Receive(data, out string error);
        if (error.Length > 0) return EapPeerStep.Fail(error);
        if (message is null) return Reply(request.Identifier, EapTlsFraming.Ack());
        try
        {
            _protocol.OfferInput(message);
        }
        catch (Exception e) when (e is TlsFatalAlert or IOException)
        {
            return EapPeerStep.Fail(_client.Refusal ?? $"EAP-TLS handshake failed: {e.Message}");
        }
        if (_client.Refusal is { } refused) return EapPeerStep.Fail(refused);
        return Flush(request.Identifier);
    }

    /// <summary>Sends what TLS produced, or an empty packet when it has nothing to add (after the server's Finished).</summary>
    private EapPeerStep Flush(byte identifier)
    {
        int available = _protocol.GetAvailableOutputBytes();
        if (available == 0) return Reply(identifier, EapTlsFraming.Ack());
        var output = new byte[available];
        _protocol.ReadOutput(output, 0, available);
        _framing.Queue(output);
        return Reply(identifier, _framing.NextFragment());
    }

    private static EapPeerStep Reply(byte identifier, byte[] typeData) => EapPeerStep.Send(EapPacket.Response(identifier, EapType.Tls, typeData));

    private sealed class Client(BcTlsCrypto crypto, EapTlsCredentials own) : DefaultTlsClient(crypto)
    {
        public bool Complete { get; private set; }
        public string? Refusal { get; set; }
        public byte[] Msk { get; private set; } = [];
        public BcTlsCrypto TlsCrypto => crypto;
        public EapTlsCredentials Own => own;
        public TlsContext Context => m_context;

        protected override ProtocolVersion[] GetSupportedVersions() => EapTlsBc.Versions;

        // RFC 5746: EAP-TLS never renegotiates, and strongSwan's TLS stack sends no renegotiation_info; BouncyCastle
        // would refuse such a peer with handshake_failure.
        public override void NotifySecureRenegotiation(bool secureRenegotiation) { }
        protected override int[] GetSupportedCipherSuites() => EapTlsBc.ClientSuites;

        public override TlsAuthentication GetAuthentication() => new Authentication(this);

        public override void NotifyHandshakeComplete()
        {
            base.NotifyHandshakeComplete();
            Msk = EapTlsBc.Msk(m_context);
            Complete = true;
        }

        private sealed class Authentication(Client client) : TlsAuthentication
        {
            public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
            {
                if (EapTlsBc.Verify(serverCertificate.Certificate, client.Own) is { } why)
                {
                    client.Refusal = "EAP-TLS server certificate refused: " + why;
                    throw new TlsFatalAlert(AlertDescription.bad_certificate);
                }
            }

            public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) =>
                EapTlsBc.Signer(client.Context, client.TlsCrypto, client.Own, certificateRequest.SupportedSignatureAlgorithms);
        }
    }
}

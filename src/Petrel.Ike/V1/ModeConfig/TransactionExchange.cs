using System.Security.Cryptography;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Ike.V1.Keying;
using Petrel.Ike.V1.Wire;
using Petrel.Ike.V1.XAuth;

namespace Petrel.Ike.V1.ModeConfig;

/// <summary>
/// The ISAKMP Transaction exchange (type 6, draft-dukes-ike-mode-cfg §3.3) that carries XAuth and Mode Config:
/// each exchange is a request (CFG_REQUEST / CFG_SET) and its answer (CFG_REPLY / CFG_ACK) under one fresh message
/// ID, encrypted with that ID's IV chain, each message HASH | ATTR with HASH = prf(SKEYID_a, M-ID | ATTR) as strongSwan
/// computes it. It also holds Phase 1 back: after Main Mode an XAuth server asks for credentials, a client waits for
/// that request (and then pulls or waits for its virtual IP), and only then is the SA established and Quick Mode run.
/// </summary>
internal sealed class TransactionExchange
{
    private readonly IkeV1Protocol _v1;

    public TransactionExchange(IkeV1Protocol v1)
    {
        _v1 = v1;
        XAuthServer = new XAuthServer(this);
        XAuthClient = new XAuthClient(this);
        Server = new ModeConfigServer(this);
        Client = new ModeConfigClient(this);
    }

    public IkeV1Protocol V1 => _v1;
    public IkeEngine E => _v1.Engine;
    public XAuthServer XAuthServer { get; }
    public XAuthClient XAuthClient { get; }
    public ModeConfigServer Server { get; }
    public ModeConfigClient Client { get; }

    /// <summary>
    /// Called when Main Mode has authenticated the peer. True: XAuth or Mode Config must run first and this class
    /// establishes the SA (<see cref="Complete"/>); false: establish now (a server may still push its Mode Config).
    /// </summary>
    public bool Defer(IkeSa sa)
    {
        var config = sa.Config;
        var state = sa.V1!.Transactions;
        if (XAuthMethod.IsServer(config))
        {
            state.Deferred = true;
            XAuthServer.Start(sa);
            return true;
        }
        if (XAuthMethod.IsClient(config))
        {
            state.Deferred = true;
            E.Log.Info(sa, "waiting for the XAuth server's request for credentials");
            return true;
        }
        if (ModeConfigClient.Wants(sa))
        {
            state.Deferred = true;
            Client.AfterAuthentication(sa);
            return true;
        }
        return false;
    }

    /// <summary>Called right after a server established the SA without XAuth: push the virtual IP if so configured.</summary>
    public void AfterEstablished(IkeSa sa)
    {
        if (!XAuthMethod.IsServer(sa.Config)) Server.PushIfConfigured(sa);
    }

    /// <summary>XAuth and Mode Config are done: the SA is established; as Main Mode initiator, Quick Mode follows.</summary>
    public void Complete(IkeSa sa)
    {
        var state = sa.V1!.Transactions;
        if (!state.Deferred || sa.State != IkeSaState.Connecting) return;
        state.Deferred = false;
        if (sa.IsInitiator) _v1.MainModeI.Finish(sa);
        else E.EstablishedV1(sa);
        // A client that pulls its virtual IP is accounted from then on (ModeConfigServer); one that takes none from now.
        bool addressFollows = sa.Config.ModeConfigPull && (sa.Config.Pools.Count > 0 || sa.RadiusAccept?.FramedIp is not null);
        if (XAuthMethod.IsServer(sa.Config) && !addressFollows && sa.State == IkeSaState.Established) StartAccounting(sa);
    }

    /// <summary>
    /// RFC 2866 accounting of an XAuth user a RADIUS server accepted (auth = xauth-radius, with accounting = yes): Start
    /// once the user has its virtual IP, as strongSwan's eap-radius starts IKEv1 sessions; Stop when the IKE SA goes.
    /// </summary>
    public void StartAccounting(IkeSa sa)
    {
        if (sa.RadiusAccept is not { } accept || sa.RadiusAccounting is not null) return;
        E.StartAccounting(sa, accept, sa.V1!.Transactions.XAuthUser ?? "");
    }

    /// <summary>
    /// An initiator that waits for the server's XAuth request or pushed address (nothing of ours is in flight, so no
    /// retransmission ends the wait) gives up after the half-open timeout, as a responder's half-open SA does.
    /// </summary>
    public bool TimedOut(IkeSa sa, TimeSpan now)
    {
        if (!sa.IsInitiator || !sa.V1!.Transactions.Deferred || sa.State != IkeSaState.Connecting || sa.V1.InFlight.Count > 0
            || now - sa.CreatedAt < E.Options.HalfOpenTimeout) return false;
        Fail(sa, $"the peer did not run {(XAuthMethod.IsClient(sa.Config) && !sa.V1.Transactions.XAuthOk ? "XAuth" : "Mode Config")} within {E.Options.HalfOpenTimeout.TotalSeconds:0} s after Main Mode", sendDelete: true);
        return true;
    }

    /// <summary>XAuth or Mode Config failed: one warning with the reason, the waiting initiate fails, the SA goes.</summary>
    public void Fail(IkeSa sa, string reason, bool sendDelete = false)
    {
        E.Log.Warn(sa, reason);
        var state = sa.V1!;
        state.Completion?.Fail($"IKE_SA {sa.Tag}: {reason}", sa.UniqueId);
        state.Completion = null;
        if (sendDelete && state.Keys is not null) _v1.Info.DeleteIkeSa(sa);
        E.Destroy(sa, reason);
    }

    public void OnMessage(IkeSa sa, IsakmpMessage m)
    {
        var state = sa.V1!;
        if (state.Keys is null || m.Payloads.Count < 2 || m.Payloads[0].Type != IsakmpPayloadType.Hash)
        {
            _v1.Drop(sa, sa.Remote, $"Transaction {m.MessageId:x8} without HASH and attributes");
            return;
        }
        var expected = V1Hashes.First(state.Suite!.Prf, state.Keys.SkeyidA, m.MessageId, IsakmpMessage.EncodePayloads(m.Payloads, 1));
        if (!CryptographicOperations.FixedTimeEquals(expected, m.Payloads[0].Body))
        {
            _v1.Drop(sa, sa.Remote, $"Transaction {m.MessageId:x8}: HASH does not verify");
            return;
        }
        if (m.Get(IsakmpPayloadType.Attribute) is not { } attribute || !CfgPayload.TryDecode(attribute.Body, out var cfg, out string error))
        {
            _v1.Drop(sa, sa.Remote, $"Transaction {m.MessageId:x8} without a valid attribute payload");
            return;
        }
        E.Log.Debug(sa, $"received {cfg}");
        if (state.Transactions.Outstanding.Remove(m.MessageId, out var kind))
        {
            _v1.Answered(sa, m.MessageId);
            state.Cipher!.Ivs.Forget(m.MessageId);
            switch (kind)
            {
                case TransactionKind.XAuthCredentials: XAuthServer.OnCredentials(sa, cfg!); break;
                case TransactionKind.XAuthStatus: XAuthServer.OnAck(sa, cfg!); break;
                case TransactionKind.ModeConfigRequest: Client.OnReply(sa, cfg!); break;
                case TransactionKind.ModeConfigSet: Server.OnAck(sa, cfg!); break;
            }
            return;
        }
        bool xauth = cfg!.Attributes.Any(a => a.Type is >= CfgAttribute.XAuthType and <= CfgAttribute.XAuthAnswer);
        switch (cfg.Type)
        {
            case CfgType.Request when xauth: XAuthClient.OnRequest(sa, m.MessageId, cfg); break;
            case CfgType.Set when xauth: XAuthClient.OnStatus(sa, m.MessageId, cfg); break;
            case CfgType.Request: Server.OnRequest(sa, m.MessageId, cfg); break;
            case CfgType.Set: Client.OnSet(sa, m.MessageId, cfg); break;
            default:
                _v1.Drop(sa, sa.Remote, $"Transaction {m.MessageId:x8}: {cfg} answers nothing we asked");
                break;
        }
    }

    /// <summary>Starts an exchange of ours: a fresh message ID, retransmitted until answered.</summary>
    public void SendRequest(IkeSa sa, CfgPayload cfg, TransactionKind kind)
    {
        var state = sa.V1!;
        uint mid;
        do mid = BitConverter.ToUInt32(E.RandomBytes(4));
        while (mid == 0 || state.QuickModes.ContainsKey(mid) || state.LastReceived.ContainsKey(mid) || state.InFlight.ContainsKey(mid));
        state.Transactions.Outstanding[mid] = kind;
        Send(sa, mid, cfg, request: true);
    }

    /// <summary>Answers the peer's request under its message ID (cached and resent if the peer repeats it).</summary>
    public void SendAnswer(IkeSa sa, uint messageId, CfgPayload cfg)
    {
        Send(sa, messageId, cfg, request: false);
        sa.V1!.Cipher!.Ivs.Forget(messageId);
    }

    private void Send(IkeSa sa, uint messageId, CfgPayload cfg, bool request)
    {
        var state = sa.V1!;
        var m = _v1.NewMessage(sa, IsakmpExchange.Transaction, messageId);
        m.Add(IsakmpPayloadType.Attribute, cfg.Encode());
        var hash = V1Hashes.First(state.Suite!.Prf, state.Keys!.SkeyidA, messageId, IsakmpMessage.EncodePayloads(m.Payloads));
        m.Payloads.Insert(0, new IsakmpPayload(IsakmpPayloadType.Hash, hash));
        E.Log.Debug(sa, $"sending {cfg}");
        _v1.Send(sa, m, expectAnswer: request, answering: !request);
    }

    public ushort NewIdentifier() => System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(E.RandomBytes(2));
}

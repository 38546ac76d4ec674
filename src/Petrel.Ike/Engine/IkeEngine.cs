using System.Net;
using Microsoft.Extensions.Logging;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Primitives;
using Petrel.Crypto.Proposals;
using Petrel.DataPlane.Kernel;
using Petrel.Ike.Config;
using Petrel.Ike.V1.Wire;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Engine;

/// <summary>
/// The IKE daemon core: all IKE SAs, connections and their exchanges. Not thread-safe: the daemon
/// serializes every call on one thread. Takes bytes, time and randomness as inputs, so tests run
/// two engines in one process over an in-memory network with a virtual clock.
/// </summary>
/// <remarks>
/// Requests we initiate are tasks (<see cref="IkeTask"/>) queued per IKE SA and sent one at a time
/// (RFC 7296 §2.3, window 1); requests we receive are answered by one responder class per exchange
/// type. Receive never throws: every malformed or unexpected datagram is dropped and counted.
/// </remarks>
public sealed partial class IkeEngine
{
    internal const int NonceLength = 32;

    private readonly IIkeTransport _transport;
    private readonly ILogger _log;
    private readonly IkeSaManager _sas;
    private readonly IkeSaInitResponder _initResponder;
    private readonly IkeAuthResponder _authResponder;
    private readonly IkeIntermediateResponder _intermediateResponder;
    private readonly CreateChildSaResponder _createChildResponder;
    private readonly InformationalResponder _informationalResponder;
    private IReadOnlyList<ConnectionConfig> _connections = [];
    private IReadOnlyList<SharedSecret> _secrets = [];
    private uint _nextIkeId, _nextChildId, _nextReqId;

    public IkeEngine(IkeEngineOptions options, IIpsecKernel kernel, IIkeTransport transport, IClock clock, IRandom random, ILoggerFactory loggerFactory)
    {
        Options = options;
        Kernel = kernel;
        _transport = transport;
        Clock = clock;
        Random = random;
        _log = loggerFactory.CreateLogger("Petrel.Ike");
        Log = new IkeLog(_log, Counters, () => Clock.Now);
        _sas = new IkeSaManager(Touch);
        Children = new ChildSaNegotiation(this);
        Psk = new PskAuthenticator(this);
        Exchanges = new TaskManager(this);
        _initResponder = new IkeSaInitResponder(this);
        _authResponder = new IkeAuthResponder(this);
        _intermediateResponder = new IkeIntermediateResponder(this);
        _createChildResponder = new CreateChildSaResponder(this);
        _informationalResponder = new InformationalResponder(this);
        _ikeObserver = OnIkeTransition;
        ChildObserver = OnChildTransition;
    }

    internal IkeEngineOptions Options { get; }
    internal IIpsecKernel Kernel { get; }
    internal IClock Clock { get; }
    internal IRandom Random { get; }
    internal ChildSaNegotiation Children { get; }
    internal PskAuthenticator Psk { get; }

    /// <summary>The IKEv2 task manager: message IDs, the outstanding request, retransmits, the response cache, the queue.</summary>
    internal TaskManager Exchanges { get; }

    internal IkeLog Log { get; }
    internal IkeCounters Counters { get; } = new();

    /// <summary>Lines caused by packets not yet authenticated: once per kind and window, then a count.</summary>
    private UnauthenticatedLog Unauthenticated => Log.Unauthenticated;
    internal IReadOnlyList<SharedSecret> Secrets => _secrets;

    /// <summary>Datagrams dropped: malformed, unknown SPI, failed ICV, unexpected message ID.</summary>
    public long DroppedDatagrams => Counters.DroppedDatagrams;

    /// <summary>IKE_SA_INIT requests dropped by block_threshold or init_limit_half_open.</summary>
    public long DroppedByLimits => Counters.DroppedByLimits;

    /// <summary>Of those, the ones whose SK payload failed its integrity check.</summary>
    public long IntegrityFailures => Counters.IntegrityFailures;

    /// <summary>Loads (or reloads) connections and secrets. SAs of connections that still exist unchanged are kept.</summary>
    public void Load(IReadOnlyList<ConnectionConfig> connections, IReadOnlyList<SharedSecret> secrets)
    {
        _connections = connections;
        _secrets = secrets;
        foreach (var sa in _sas.All.ToList())
        {
            var config = FindConnection(sa.Name);
            if (config is not null)
            {
                sa.Config = config;
                continue;
            }
            Log.Info(sa, $"connection '{sa.Name}' was removed from the configuration, deleting its IKE_SA");
            if (sa.Version == 1) V1.Terminate(sa, null, _ => { });
            else if (sa.State == IkeSaState.Established) Queue(sa, InformationalTask.DeleteIkeSa(this, null));
            else Destroy(sa, "connection removed");
        }
        SyncTraps();
    }

    public IReadOnlyList<ConnectionConfig> Connections => _connections;

    /// <summary>A datagram arrived (non-ESP marker already stripped on port 4500).</summary>
    public void Receive(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> message)
    {
        try
        {
            ReceiveCore(local, remote, message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Last resort: a bug in handling one datagram must not take the daemon or other SAs down.
            Counters.DroppedDatagrams++;
            _log.LogError("dropped {Length}-byte datagram from {Remote}: {Type}: {Message} at {Where}", message.Length, remote, e.GetType().Name, e.Message, e.StackTrace);
        }
    }

    private void ReceiveCore(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> message)
    {
        // RFC 3948 §2.3: a NAT-keepalive is one 0xFF octet; nothing to do.
        if (message.Length == 1 && message[0] == 0xFF) return;
        if (message.Length > Options.MaxPacket)
        {
            Log.Drop(null, remote, $"{message.Length}-byte datagram exceeds max_packet ({Options.MaxPacket})");
            return;
        }
        // ISAKMP version 1.0 (RFC 2408 §3.1): IKEv1, handled in V1/ behind the same SA table.
        if (IsakmpMessage.IsVersion1(message))
        {
            V1.Receive(local, remote, message);
            return;
        }

        var status = IkeHeader.TryDecode(message, out var header, out string error);
        if (status == IkeDecodeStatus.InvalidMajorVersion && header.ExchangeType == ExchangeType.IkeSaInit && !header.IsResponse)
        {
            // RFC 7296 §2.5: tell the initiator the highest major version we speak, in a version-2 header.
            Log.Debug(null, $"IKE_SA_INIT from {remote} with major version {header.MajorVersion}, sending INVALID_MAJOR_VERSION");
            var answer = new IkeMessage { InitiatorSpi = header.InitiatorSpi, ExchangeType = ExchangeType.IkeSaInit, Flags = IkeHeaderFlags.Response, MessageId = header.MessageId };
            answer.Payloads.Add(new NotifyPayload(NotifyType.InvalidMajorVersion));
            SendRaw(local, remote, answer.Encode());
            Counters.DroppedDatagrams++;
            return;
        }
        if (status != IkeDecodeStatus.Success)
        {
            Log.Drop(null, remote, $"undecodable IKE header ({error})");
            return;
        }

        if (header.ExchangeType == ExchangeType.IkeSaInit && !header.IsResponse)
        {
            ReceiveInitRequest(local, remote, message, header);
            return;
        }

        bool fromInitiator = header.IsInitiator;
        ulong localSpi = fromInitiator ? header.ResponderSpi : header.InitiatorSpi;
        if (!_sas.TryGet(localSpi, out var sa) || sa.IsInitiator == fromInitiator)
        {
            Log.Drop(null, remote, $"{header.ExchangeType} with unknown SPIs {header.InitiatorSpi:x16}_i {header.ResponderSpi:x16}_r");
            return;
        }
        ulong remoteSpi = fromInitiator ? header.InitiatorSpi : header.ResponderSpi;
        ulong expectedRemote = sa.IsInitiator ? sa.SpiR : sa.SpiI;
        if (expectedRemote != 0 && remoteSpi != expectedRemote && !(header.ExchangeType == ExchangeType.IkeSaInit && remoteSpi == 0))
        {
            Log.Drop(sa, remote, $"{header.ExchangeType} with wrong peer SPI {remoteSpi:x16}");
            return;
        }

        IkeMessage? m;
        if (header.ExchangeType == ExchangeType.IkeSaInit)
        {
            if (sa.Outstanding?.Task is not IkeSaInitTask)
            {
                Log.Drop(sa, remote, "IKE_SA_INIT response we are not waiting for");
                return;
            }
            status = IkeMessage.TryDecode(message, null, out m, out error);
        }
        else
        {
            var cipher = sa.CipherFor(fromInitiator);
            if (cipher is null)
            {
                Log.Drop(sa, remote, $"{header.ExchangeType} before the IKE SA has keys");
                return;
            }
            status = IkeMessage.TryDecode(message, cipher, out m, out error);
            // A retransmitted IKE_INTERMEDIATE request is still protected with the keys its exchange replaced.
            if (status == IkeDecodeStatus.IntegrityCheckFailed && sa.PreviousCipherIn is { } previous && !header.IsResponse
                && header.ExchangeType == ExchangeType.IkeIntermediate && header.MessageId == sa.LastResponseId)
                status = IkeMessage.TryDecode(message, previous, out m, out error);
            if (status == IkeDecodeStatus.IntegrityCheckFailed) Counters.IntegrityFailures++;
            if (status == IkeDecodeStatus.Success && !m!.WasEncrypted)
            {
                // §3.14: after IKE_SA_INIT everything travels inside SK; a cleartext message is a forgery.
                Log.Drop(sa, remote, $"unencrypted {header.ExchangeType} message");
                return;
            }
            if (status == IkeDecodeStatus.Success && m!.Payloads.Count > 0 && m.Payloads[^1] is EncryptedFragmentPayload)
            {
                sa.LastInbound = Clock.Now; // an authenticated fragment proves the peer alive
                m = Reassemble(sa, m, remote, out bool invalidSyntax);
                if (m is null)
                {
                    if (!invalidSyntax) return;
                    status = IkeDecodeStatus.InvalidSyntax;
                    error = "reassembled fragments";
                }
            }
        }
        if (status == IkeDecodeStatus.InvalidSyntax && !header.IsResponse && header.MessageId == sa.ExpectedRequestId && sa.CipherOut is not null)
        {
            // §2.21.2: an authenticated request we cannot parse is answered with INVALID_SYNTAX; in IKE_AUTH that ends the SA.
            Log.Warn(sa, $"{header.ExchangeType} request {header.MessageId} has invalid syntax ({error}), sending INVALID_SYNTAX");
            var answer = NewMessage(sa, header.ExchangeType, response: true, header.MessageId);
            answer.Payloads.Add(new NotifyPayload(NotifyType.InvalidSyntax));
            var bytes = answer.Encode(sa.CipherOut);
            sa.CacheResponse(header.MessageId, bytes, null);
            SendRaw(sa.Local, sa.Remote, bytes);
            if (header.ExchangeType == ExchangeType.IkeAuth) Destroy(sa, "invalid syntax in IKE_AUTH");
            return;
        }
        if (status != IkeDecodeStatus.Success || m is null)
        {
            Log.Drop(sa, remote, $"{header.ExchangeType} {(header.IsResponse ? "response" : "request")} {header.MessageId}: {status} ({error})");
            return;
        }

        sa.LastInbound = Clock.Now; // DPD: an authenticated message proves the peer alive
        CountReceived(sa, header.ExchangeType, header.IsResponse);
        if (header.IsResponse) HandleResponse(sa, m);
        else HandleRequest(sa, m, local, remote);
    }

    private void ReceiveInitRequest(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> message, IkeHeader header)
    {
        if (header.ResponderSpi != 0 || header.MessageId != 0 || !header.IsInitiator)
        {
            Log.Drop(null, remote, "IKE_SA_INIT request with a responder SPI, message ID or flags set");
            return;
        }
        if (_sas.FindByInitiator(remote, header.InitiatorSpi) is { } existing)
        {
            // §2.1: a retransmitted IKE_SA_INIT gets the same answer; a different one with the same SPI is dropped.
            if (existing.LastResponseId == 0 && existing.LastResponse is not null && message.SequenceEqual(existing.InitRequest))
            {
                Log.Debug(existing, "retransmitted IKE_SA_INIT request, sending the cached response");
                SendRaw(existing.Local, existing.Remote, existing.LastResponse);
            }
            else if (existing.CryptoBusy && existing.LastResponse is null && message.SequenceEqual(existing.InitRequest))
            {
                Log.Debug(existing, "retransmitted IKE_SA_INIT request while its key exchange runs, absorbed");
            }
            else
            {
                Log.Drop(existing, remote, "second IKE_SA_INIT request for an existing IKE SA");
            }
            return;
        }
        var status = IkeMessage.TryDecode(message, null, out var m, out string error);
        if (status != IkeDecodeStatus.Success || m is null)
        {
            Log.Drop(null, remote, $"IKE_SA_INIT request: {status} ({error})");
            return;
        }
        if (m.UnsupportedCriticalPayload is { } u)
        {
            if (Unauthenticated.Admit(LogLevel.Warning, "IKE_SA_INIT with an unsupported critical payload", remote.Address)) Unauthenticated.Write(LogLevel.Warning, $"IKE_SA_INIT from {remote} carries unsupported critical payload {(byte)u.Type}, sending UNSUPPORTED_CRITICAL_PAYLOAD");
            var answer = new IkeMessage { InitiatorSpi = m.InitiatorSpi, ExchangeType = ExchangeType.IkeSaInit, Flags = IkeHeaderFlags.Response };
            answer.Payloads.Add(new NotifyPayload(NotifyType.UnsupportedCriticalPayload, new[] { (byte)u.Type }));
            SendRaw(local, remote, answer.Encode());
            return;
        }
        CountReceived(null, ExchangeType.IkeSaInit, response: false);
        _initResponder.Handle(local, remote, m);
    }

    private void HandleResponse(IkeSa sa, IkeMessage m)
    {
        Touch(sa);
        if (AbsorbWhileDeferred(sa, m)) return;
        Exchanges.OnResponse(sa, m);
    }

    private void HandleRequest(IkeSa sa, IkeMessage m, IPEndPoint local, IPEndPoint remote)
    {
        Touch(sa);
        if (AbsorbWhileDeferred(sa, m)) return;
        if (!Exchanges.AcceptRequest(sa, m, remote)) return;
        if (sa.State == IkeSaState.Destroying) return;

        // §2.23: answer where the authenticated request came from (the peer may have floated to 4500, or its NAT mapping changed).
        if (!sa.Local.Equals(local) || !sa.Remote.Equals(remote))
        {
            Log.Debug(sa, $"peer moved from {sa.Remote} to {remote} (local {local})");
            PublishUpdate(sa, local, remote);
            sa.Local = local;
            sa.Remote = remote;
        }

        var response = NewMessage(sa, m.ExchangeType, response: true, m.MessageId);
        bool destroy = false;
        if (m.UnsupportedCriticalPayload is { } u)
        {
            // §2.5: refuse the whole message, naming the payload type.
            Log.Warn(sa, $"{m.ExchangeType} request carries unsupported critical payload {(byte)u.Type}, sending UNSUPPORTED_CRITICAL_PAYLOAD");
            response.Payloads.Add(new NotifyPayload(NotifyType.UnsupportedCriticalPayload, new[] { (byte)u.Type }));
        }
        else
        {
            switch (m.ExchangeType)
            {
                case ExchangeType.IkeAuth:
                    destroy = _authResponder.Handle(sa, m, response);
                    break;
                case ExchangeType.IkeIntermediate:
                    destroy = _intermediateResponder.Handle(sa, m, response);
                    break;
                case ExchangeType.CreateChildSa:
                    _createChildResponder.Handle(sa, m, response);
                    break;
                case ExchangeType.IkeFollowupKe:
                    _createChildResponder.HandleFollowUp(sa, m, response);
                    break;
                case ExchangeType.Informational:
                    destroy = _informationalResponder.Handle(sa, m, response);
                    break;
                default:
                    Log.Warn(sa, $"unsupported exchange type {(byte)m.ExchangeType}, answering INVALID_SYNTAX");
                    response.Payloads.Add(new NotifyPayload(NotifyType.InvalidSyntax));
                    break;
            }
        }

        if (sa.Deferred is { Crypto: false }) return; // waits for a CRL fetch: answered when processed again
        Exchanges.SendResponse(sa, response);
        // RFC 9370 §2.2.2: the keys change after the IKE_INTERMEDIATE response, which the old ones protected.
        if (m.ExchangeType == ExchangeType.IkeIntermediate && !destroy) _intermediateResponder.Complete(sa, m, response);
        if (destroy) Destroy(sa, $"{m.ExchangeType} ended the IKE SA");
        else Exchanges.Pump(sa);
    }

    /// <summary>Runs due timers (retransmits, keepalives, DPD, lifetimes). Call often (the daemon: every 50–100 ms).</summary>
    public void Tick()
    {
        var now = Clock.Now;
        TickDueSas(now);
        try
        {
            TickRestarts(now);
            TickRekeyedInbound(now);
            TickAccounting(now);
            Unauthenticated.Tick();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.LogError("restart timer handling failed: {Type}: {Message}", e.GetType().Name, e.Message);
        }
    }

    private void TickSa(IkeSa sa, TimeSpan now)
    {
        if (sa.State == IkeSaState.Destroying) return;
        if (sa.Version == 1)
        {
            V1.Tick(sa, now);
            return;
        }
        if (!Exchanges.Retransmit(sa, now))
        {
            PeerNotResponding(sa);
            return;
        }
        if (sa.State == IkeSaState.Established && now >= sa.NextKeepalive)
        {
            // RFC 3948 §4: keep the NAT mapping open with a single 0xFF octet from the NAT-T port.
            SendRaw(sa.Local, sa.Remote, KeepaliveBytes);
            sa.NextKeepalive = now + sa.Config.KeepaliveInterval;
        }
        if (sa.IsHalfOpen && now - sa.CreatedAt >= Options.HalfOpenTimeout)
        {
            Log.Info(sa, $"half-open IKE_SA from {sa.Remote} timed out");
            Destroy(sa, "half-open timeout");
            return;
        }
        TickLiveness(sa, now);
        TickLifetimes(sa, now);
    }

    private static readonly byte[] KeepaliveBytes = [0xFF];

    private static TimeSpan Min(TimeSpan? a, TimeSpan b) => a is { } x && x < b ? x : b;

    /// <summary>Initiates a connection (and the named child, or all its children). done is called exactly once.</summary>
    public void Initiate(string connection, string? child, Action<InitiateResult> done)
    {
        var config = FindConnection(connection);
        if (config is null)
        {
            done(new InitiateResult(false, $"no connection named '{connection}'"));
            return;
        }
        List<ChildConfig> children;
        if (child is not null)
        {
            var c = config.Children.FirstOrDefault(x => x.Name == child);
            if (c is null)
            {
                done(new InitiateResult(false, $"connection '{connection}' has no child '{child}'"));
                return;
            }
            children = [c];
        }
        else
        {
            children = [.. config.Children];
        }

        var existing = _sas.OfConnection(connection).FirstOrDefault(s => s.IsInitiator && s.State is IkeSaState.Established or IkeSaState.Connecting)
            ?? _sas.OfConnection(connection).FirstOrDefault(s => s.State == IkeSaState.Established);
        if (existing is not null)
        {
            // "up" is idempotent: children that are already installed are not negotiated again.
            children.RemoveAll(c => existing.Children.Exists(x => x.Config.Name == c.Name && x.State == ChildSaState.Installed));
        }
        if (existing is { Version: 1 } && children.Count > 0)
        {
            V1.AddChildren(existing, children, done);
            return;
        }
        if (existing is not null && children.Count > 0)
        {
            var more = new InitiateCompletion(done, children.Count);
            foreach (var c in children)
                Queue(existing, new CreateChildSaTask(this, c, more));
            return;
        }
        if (existing is not null)
        {
            done(new InitiateResult(true, $"IKE_SA {existing.Tag} already exists", existing.UniqueId));
            return;
        }

        if (config.Version == 1 && !config.Local.Auth.Equals("psk", StringComparison.OrdinalIgnoreCase) && !PubkeyAuthenticator.IsPubkey(config.Local.Auth))
        {
            done(new InitiateResult(false, $"connection '{connection}': IKEv1 in Petrel authenticates with pre-shared keys or certificates (local auth '{config.Local.Auth}')"));
            return;
        }
        if (!config.Local.Auth.Equals("psk", StringComparison.OrdinalIgnoreCase) && !PubkeyAuthenticator.IsPubkey(config.Local.Auth) && !config.Local.IsEap)
        {
            done(new InitiateResult(false, $"connection '{connection}': local auth '{config.Local.Auth}' is not supported yet (psk, pubkey and eap… are)"));
            return;
        }
        var remoteAddress = AddressMatch.FirstHost(config.RemoteAddrs);
        if (remoteAddress is null)
        {
            done(new InitiateResult(false, $"connection '{connection}': remote_addrs names no address to initiate to"));
            return;
        }
        var localAddress = AddressMatch.FirstHost(config.LocalAddrs) ?? Options.LocalAddressFor?.Invoke(remoteAddress);
        if (localAddress is null)
        {
            done(new InitiateResult(false, $"connection '{connection}': no local address to reach {remoteAddress} (set local_addrs)"));
            return;
        }

        // local_port defaults to 500, meaning "the daemon's IKE port" (strongSwan's charon.port).
        int localPort = config.LocalPort == 500 ? Options.IkePort : config.LocalPort;
        if (config.Version == 1)
        {
            V1.Initiate(config, children, new IPEndPoint(localAddress, localPort), new IPEndPoint(remoteAddress, config.RemotePort), done);
            return;
        }
        var sa = CreateSa(config, initiator: true, new IPEndPoint(localAddress, localPort), new IPEndPoint(remoteAddress, config.RemotePort));
        Register(sa, 0);
        sa.MoveTo(IkeSaState.Connecting);
        Log.Debug(sa, $"initiating IKE_SA {sa.Tag} to {sa.Remote}");
        var completion = new InitiateCompletion(done, Math.Max(1, children.Count));
        sa.Tasks.Enqueue(new IkeSaInitTask(this, completion));
        sa.Tasks.Enqueue(new IkeAuthTask(this, children.Count > 0 ? children[0] : null, completion));
        for (int i = 1; i < children.Count; i++)
            sa.Tasks.Enqueue(new CreateChildSaTask(this, children[i], completion));
        Pump(sa);
    }

    /// <summary>Deletes the CHILD_SA (child given) or the whole IKE SA of a connection. done is called once finished.</summary>
    public void Terminate(string connection, string? child, Action<InitiateResult> done)
    {
        CancelRestarts(connection, child);
        var sas = _sas.OfConnection(connection).Where(s => s.State != IkeSaState.Destroying).ToList();
        if (sas.Count == 0)
        {
            done(new InitiateResult(false, $"no IKE_SA of connection '{connection}'"));
            return;
        }
        if (child is not null)
        {
            var targets = sas.Select(s => (Sa: s, Children: s.Children.Where(c => c.Config.Name == child && c.State == ChildSaState.Installed).ToList()))
                .Where(t => t.Children.Count > 0).ToList();
            if (targets.Count == 0)
            {
                done(new InitiateResult(false, $"no CHILD_SA '{child}' of connection '{connection}'"));
                return;
            }
            var once = Once(done, targets.Count);
            foreach (var (sa, children) in targets)
            {
                if (sa.Version == 1) V1.Terminate(sa, children, once);
                else Queue(sa, InformationalTask.DeleteChildren(this, children, once));
            }
            return;
        }
        var all = Once(done, sas.Count);
        foreach (var sa in sas)
            DeleteIkeSa(sa, all);
    }

    /// <summary>Deletes one IKE SA: a DELETE to the peer when it has keys (RFC 7296 §1.4.1), else at once.</summary>
    private void DeleteIkeSa(IkeSa sa, Action<InitiateResult> done)
    {
        if (sa.Version == 1)
        {
            V1.Terminate(sa, null, done);
            return;
        }
        if (sa.State == IkeSaState.Established || (sa.IsInitiator && sa.CipherOut is not null && sa.State != IkeSaState.Deleting))
        {
            // §1.4.1: queued exchanges are pointless now; the delete goes next.
            AbortQueued(sa, "IKE_SA is being deleted");
            Queue(sa, InformationalTask.DeleteIkeSa(this, done));
        }
        else
        {
            Destroy(sa, "terminated before it was established");
            done(new InitiateResult(true, $"IKE_SA {sa.Tag} destroyed", sa.UniqueId));
        }
    }

    /// <summary>Queues an empty INFORMATIONAL (RFC 7296 §1.4 liveness check) on an established IKE SA; the hook DPD will use.</summary>
    public bool SendLivenessCheck(uint ikeSaId)
    {
        var sa = _sas.Find(ikeSaId) is { State: IkeSaState.Established, Version: 2 } found ? found : null;
        if (sa is null) return false;
        Queue(sa, InformationalTask.Liveness(this));
        return true;
    }

    private static Action<InitiateResult> Once(Action<InitiateResult> done, int count)
    {
        int left = count;
        bool ok = true;
        var messages = new List<string>();
        return r =>
        {
            ok &= r.Success;
            messages.Add(r.Message);
            if (--left == 0) done(new InitiateResult(ok, string.Join("; ", messages), r.IkeSaId));
        };
    }

    public IReadOnlyList<IkeSaInfo> ListSas()
    {
        var now = Clock.Now;
        var list = new List<IkeSaInfo>(_sas.Count);
        foreach (var sa in _sas.All)
        {
            var children = new List<ChildSaInfo>(sa.Children.Count);
            foreach (var c in sa.Children)
            {
                Kernel.TryGetCounters(c.SpiIn, SaDirection.Inbound, out var cin);
                Kernel.TryGetCounters(c.SpiOut, SaDirection.Outbound, out var cout);
                children.Add(new ChildSaInfo
                {
                    Name = c.Config.Name,
                    UniqueId = c.UniqueId,
                    ReqId = c.ReqId,
                    State = StateNames.Of(c.State),
                    Mode = c.Mode == IpsecMode.Transport ? "TRANSPORT" : "TUNNEL",
                    Protocol = c.Protocol == SecurityProtocol.Ah ? "AH" : "ESP",
                    Encap = c.Encap,
                    SpiIn = c.SpiIn.ToString("x8"),
                    SpiOut = c.SpiOut.ToString("x8"),
                    Encr = Describe(c.Proposal, TransformType.Encryption),
                    Integ = Describe(c.Proposal, TransformType.Integrity),
                    Dh = Describe(c.Proposal, TransformType.KeyExchange),
                    KeyExchanges = c.PerformedKeyExchanges.Select(AlgorithmCatalog.Describe).ToList(),
                    LocalTs = c.LocalTs.Select(t => t.ToString()).ToList(),
                    RemoteTs = c.RemoteTs.Select(t => t.ToString()).ToList(),
                    BytesIn = cin.Bytes,
                    PacketsIn = cin.Packets,
                    BytesOut = cout.Bytes,
                    PacketsOut = cout.Packets,
                    InstallSeconds = (long)(now - c.InstalledAt).TotalSeconds,
                    RekeySeconds = c.State == ChildSaState.Installed ? SecondsUntil(c.RekeyAt, now) : null,
                    ExpireSeconds = SecondsUntil(c.ExpireAt, now),
                });
            }
            list.Add(new IkeSaInfo
            {
                Name = sa.Name,
                UniqueId = sa.UniqueId,
                Version = sa.Version,
                State = StateNames.Of(sa.State),
                LocalHost = sa.Local.Address.ToString(),
                RemoteHost = sa.Remote.Address.ToString(),
                LocalPort = sa.Local.Port,
                RemotePort = sa.Remote.Port,
                LocalId = ListedIdentity(sa, local: true),
                RemoteId = ListedIdentity(sa, local: false),
                Initiator = sa.IsInitiator,
                InitiatorSpi = sa.SpiI.ToString("x16"),
                ResponderSpi = sa.SpiR.ToString("x16"),
                Encr = Describe(sa.Proposal, TransformType.Encryption),
                Integ = Describe(sa.Proposal, TransformType.Integrity),
                Prf = Describe(sa.Proposal, TransformType.Prf),
                Dh = Describe(sa.Proposal, TransformType.KeyExchange),
                KeyExchanges = sa.PerformedKeyExchanges.Select(AlgorithmCatalog.Describe).ToList(),
                NatLocal = sa.NatHere || sa.NatFake,
                NatRemote = sa.NatThere,
                EstablishedSeconds = sa.State == IkeSaState.Established ? (long)(now - sa.EstablishedAt).TotalSeconds : 0,
                RekeySeconds = sa.State == IkeSaState.Established ? SecondsUntil(sa.RekeyAt, now) : null,
                ReauthSeconds = sa.State == IkeSaState.Established ? SecondsUntil(sa.ReauthAt, now) : null,
                ExpireSeconds = SecondsUntil(sa.ExpireAt, now),
                Children = children,
                LocalVips = [.. sa.OwnVips.Select(v => v.ToString())],
                RemoteVips = [.. sa.PeerVips.Select(v => v.Address.ToString())],
                EapIdentity = sa.EapIdentity ?? "",
                Dns = [.. sa.OwnDns.Select(d => d.ToString())],
                XAuthIdentity = sa.V1 is { Transactions: { XAuthOk: true, XAuthUser: { } xauthUser } } ? xauthUser : "",
                XAuthLocal = Petrel.Ike.V1.XAuth.XAuthMethod.IsClient(sa.Config),
                AuthRounds = [.. sa.CompletedRounds],
            });
        }
        return list;
    }

    private static string Describe(Proposal? p, TransformType type) =>
        p is not null && ProposalText.First(p, type) is { } t && !(type == TransformType.Integrity && t.Id == 0) ? AlgorithmCatalog.Describe(t) : "";

    public IReadOnlyList<IkeV2KeyExport> ExportIkeKeys()
    {
        var rows = new List<IkeV2KeyExport>();
        foreach (var sa in _sas.All)
        {
            if (sa.Keys is null || sa.Proposal is null || sa.Suite is null) continue;
            var encr = ProposalText.First(sa.Proposal, TransformType.Encryption)!.Value;
            var integ = sa.Suite.Integrity is null ? (Transform?)null : ProposalText.First(sa.Proposal, TransformType.Integrity);
            rows.Add(new IkeV2KeyExport(
                sa.SpiI.ToString("x16"), sa.SpiR.ToString("x16"),
                Convert.ToHexStringLower(sa.Keys.SkEi), Convert.ToHexStringLower(sa.Keys.SkEr),
                WiresharkNames.IkeEncryption(encr) ?? WiresharkNames.Fallback(encr),
                integ is null ? "" : Convert.ToHexStringLower(sa.Keys.SkAi),
                integ is null ? "" : Convert.ToHexStringLower(sa.Keys.SkAr),
                WiresharkNames.IkeIntegrity(integ) ?? WiresharkNames.Fallback(integ!.Value)));
        }
        return rows;
    }

    public IReadOnlyList<EspKeyExport> ExportEspKeys()
    {
        var rows = new List<EspKeyExport>();
        foreach (var sa in _sas.All)
        {
            foreach (var c in sa.Children)
            {
                if (!c.Installed || c.Proposal is null || c.Protocol != SecurityProtocol.Esp) continue;
                var encr = ProposalText.First(c.Proposal, TransformType.Encryption) ?? new Transform(TransformType.Encryption, 11);
                var integ = c.IntegKeyOut.Length == 0 ? (Transform?)null : ProposalText.First(c.Proposal, TransformType.Integrity);
                string family = sa.Local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
                string encrName = WiresharkNames.EspEncryption(encr) ?? WiresharkNames.Fallback(encr);
                string integName = WiresharkNames.EspIntegrity(integ) ?? WiresharkNames.Fallback(integ!.Value);
                rows.Add(new EspKeyExport(family, sa.Local.Address.ToString(), sa.Remote.Address.ToString(), $"0x{c.SpiOut:x8}",
                    encrName, "0x" + Convert.ToHexStringLower(c.EncKeyOut), integName, integ is null ? "" : "0x" + Convert.ToHexStringLower(c.IntegKeyOut)));
                rows.Add(new EspKeyExport(family, sa.Remote.Address.ToString(), sa.Local.Address.ToString(), $"0x{c.SpiIn:x8}",
                    encrName, "0x" + Convert.ToHexStringLower(c.EncKeyIn), integName, integ is null ? "" : "0x" + Convert.ToHexStringLower(c.IntegKeyIn)));
            }
        }
        return rows;
    }

    // ---- services for the exchanges ----

    internal IkeSa? FindSa(uint uniqueId) => _sas.Find(uniqueId);

    internal uint NewChildId() => ++_nextChildId;
    internal uint NewReqId() => ++_nextReqId;

    internal byte[] RandomBytes(int length)
    {
        var b = new byte[length];
        Random.Fill(b);
        return b;
    }

    internal ConnectionConfig? FindConnection(string name)
    {
        foreach (var c in _connections)
            if (c.Name == name) return c;
        return null;
    }

    /// <summary>IKEv2 connections whose local_addrs/remote_addrs admit these addresses, best match first.</summary>
    internal List<ConnectionConfig> ConnectionsFor(IPAddress local, IPAddress remote) => ConnectionsFor(local, remote, excludedVersion: 1);

    /// <summary>Connections of every version but <paramref name="excludedVersion"/> that admit these addresses, best match first.</summary>
    private List<ConnectionConfig> ConnectionsFor(IPAddress local, IPAddress remote, int excludedVersion)
    {
        var scored = new List<(ConnectionConfig C, int Score, int Index)>();
        for (int i = 0; i < _connections.Count; i++)
        {
            var c = _connections[i];
            if (c.Version == excludedVersion) continue;
            int l = AddressMatch.Score(c.LocalAddrs, local), r = AddressMatch.Score(c.RemoteAddrs, remote);
            if (l == AddressMatch.None || r == AddressMatch.None) continue;
            scored.Add((c, l + r, i));
        }
        scored.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Index.CompareTo(b.Index));
        return scored.Select(s => s.C).ToList();
    }

    internal Identity LocalIdentity(IkeSa sa) => LocalIdentityFor(sa.Config, sa.Local.Address, sa.PeerCaHashes);

    /// <summary>
    /// local.id, or when none is configured our certificate's subject (pubkey; the certificate the peer's CERTREQ
    /// prefers) or IP address (strongSwan's defaults).
    /// </summary>
    internal Identity LocalIdentityFor(ConnectionConfig c, IPAddress address, IReadOnlyList<byte[]>? requestedCas = null) =>
        c.Local.Id is { } id && Identity.TryParse(id, out var parsed, out _) && parsed is not null && !parsed.IsAny ? parsed : DefaultLocalIdentity(c, address, requestedCas);

    /// <summary>remote.id as a pattern; absent means %any.</summary>
    internal Identity RemoteIdentityPattern(ConnectionConfig c) =>
        c.Remote.Id is { } id && Identity.TryParse(id, out var parsed, out _) && parsed is not null ? parsed : Identity.Any;

    internal IkeSa CreateSa(ConnectionConfig config, bool initiator, IPEndPoint local, IPEndPoint remote)
    {
        var sa = new IkeSa
        {
            UniqueId = ++_nextIkeId,
            Config = config,
            IsInitiator = initiator,
            Local = local,
            Remote = remote,
            CreatedAt = Clock.Now,
            Observer = _ikeObserver,
        };
        ulong spi = _sas.NewSpi(Random);
        if (initiator) sa.SpiI = spi; else sa.SpiR = spi;
        return sa;
    }

    internal void Register(IkeSa sa, ulong initiatorSpiForLookup)
    {
        _sas.Add(sa, initiatorSpiForLookup);
        Touch(sa);
    }

    private static IkeMessage NewMessage(IkeSa sa, ExchangeType exchange, bool response, uint messageId) => TaskManager.NewMessage(sa, exchange, response, messageId);

    internal void Queue(IkeSa sa, IkeTask task) => Exchanges.Queue(sa, task);

    private void Pump(IkeSa sa) => Exchanges.Pump(sa);

    internal void SendRaw(IPEndPoint local, IPEndPoint remote, byte[] bytes)
    {
        try
        {
            _transport.Send(local, remote, bytes);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A send error (no route, buffer full) is a lost datagram: retransmission deals with it.
            _log.LogError("sending {Length} bytes {Local} -> {Remote} failed: {Type}: {Message}", bytes.Length, local, remote, e.GetType().Name, e.Message);
        }
    }

    internal void Established(IkeSa sa)
    {
        sa.MoveTo(IkeSaState.Established);
        Touch(sa);
        sa.StampEstablished(Clock.Now, Clock.UtcNow);
        ScheduleIke(sa);
        // RFC 3948 §4: only the side behind the NAT (or faking one) keeps the mapping alive.
        if ((sa.NatHere || sa.NatFake) && sa.Config.KeepaliveInterval > TimeSpan.Zero)
            sa.NextKeepalive = Clock.Now + sa.Config.KeepaliveInterval;
        Log.Info(sa, $"IKE_SA {sa.Tag} established between {sa.Local.Address}[{sa.LocalId}]...{sa.Remote.Address}[{sa.RemoteId}]");
    }

    /// <summary>RFC 7296 §2.23: with a NAT on the path, move IKE to port 4500 (the transport adds the non-ESP marker there).</summary>
    internal void FloatToNatT(IkeSa sa)
    {
        if (!sa.NatAny) return;
        var local = sa.Local.Port == Options.IkePort ? new IPEndPoint(sa.Local.Address, Options.NatTPort) : sa.Local;
        var remote = sa.Remote.Port == 500 ? new IPEndPoint(sa.Remote.Address, 4500)
            : sa.Remote.Port == Options.IkePort ? new IPEndPoint(sa.Remote.Address, Options.NatTPort)
            : sa.Remote;
        if (local.Equals(sa.Local) && remote.Equals(sa.Remote)) return;
        Log.Debug(sa, $"switching to NAT-T ports {local} -> {remote}");
        sa.Local = local;
        sa.Remote = remote;
    }

    internal string NatText(IkeSa sa) =>
        (sa.NatHere ? ", local host is behind NAT" : "") + (sa.NatThere ? ", remote host is behind NAT" : "") + (sa.NatFake ? ", faking NAT situation to enforce UDP encapsulation" : "");

    internal bool HasOtherSaWith(IkeSa sa)
    {
        foreach (var other in _sas.OfPeer(sa.Remote.Address))
            if (!ReferenceEquals(other, sa) && other.State == IkeSaState.Established) return true;
        return false;
    }

    /// <summary>Destroys the other IKE SAs of the same connection, peer address and peer identity (INITIAL_CONTACT, unique = replace).</summary>
    internal void DestroyStaleSas(IkeSa current)
    {
        foreach (var other in _sas.OfConnection(current.Name).ToList())
        {
            if (ReferenceEquals(other, current) || other.State == IkeSaState.Destroying) continue;
            if (!other.Remote.Address.Equals(current.Remote.Address) || other.RemoteId is null || !other.RemoteId.Equals(current.RemoteId)) continue;
            Log.Info(other, $"peer '{current.RemoteId}' started over ({current.Tag} replaces it), deleting the old IKE_SA");
            Destroy(other, $"replaced by {current.Tag}");
        }
    }

    private void AbortQueued(IkeSa sa, string reason) => TaskManager.AbortQueued(sa, reason);

    /// <summary>Ends an IKE SA at once: its CHILD_SAs leave the data plane, waiting callers learn why, keys are zeroed.</summary>
    internal void Destroy(IkeSa sa, string reason)
    {
        if (sa.State == IkeSaState.Destroying) return;
        sa.NoteEndReason(reason);
        var from = sa.State;
        sa.MoveTo(IkeSaState.Destroying);
        var lost = sa.Children.Select(c => c.Config).ToList();
        foreach (var c in sa.Children.ToList())
            Children.Remove(sa, c);
        var pending = sa.TakeOutstanding();
        pending?.Task.Abort(sa, reason);
        // A request waiting for its key pair or signature, or a response parked for a crypto worker or a CRL: their
        // jobs are discarded when they return (CryptoDone), the callers learn the reason now.
        sa.TakePreparing()?.Abort(sa, reason);
        if (sa.TakeDeferred() is { Pending: { } parked }) parked.Task.Abort(sa, reason);
        AbortQueued(sa, reason);
        _sas.Remove(sa);
        StopAccounting(sa, reason);
        ReleaseVirtualIps(sa);
        sa.DisposeKeys();
        PublishEnd(sa, from);
        Log.Info(sa, $"IKE_SA {sa.Tag} destroyed ({reason})");
        AfterDestroy(sa, lost);
    }
}

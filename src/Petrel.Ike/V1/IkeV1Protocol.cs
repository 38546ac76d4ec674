using System.Net;
using System.Security.Cryptography;
using Petrel.Ike.Config;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Ike.V1.AggressiveMode;
using Petrel.Ike.V1.Fragmentation;
using Petrel.Ike.V1.Informational;
using Petrel.Ike.V1.MainMode;
using Petrel.Ike.V1.ModeConfig;
using Petrel.Ike.V1.QuickMode;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1;

/// <summary>
/// IKEv1 behind the engine: the engine hands it every datagram whose header says ISAKMP 1.0, every Tick of an
/// IKEv1 SA, and Initiate/Terminate of `version = 1` connections. It finds the SA by cookies in the engine's SA
/// table, detects retransmissions of the peer's messages (answered with the cached reply, without decrypting:
/// the CBC chain has moved on), decrypts, and passes each message to Main Mode, Quick Mode or Informational.
/// Messages in IKE fragments (strongSwan's Cisco-style fragmentation) are put together first and then go the same way;
/// ours are split when the peer announced fragmentation (or fragmentation = force) and they exceed fragment_size.
/// </summary>
internal sealed class IkeV1Protocol
{
    private readonly IkeEngine _engine;

    public IkeV1Protocol(IkeEngine engine)
    {
        _engine = engine;
        MainModeI = new MainModeInitiator(this);
        MainModeR = new MainModeResponder(this);
        AggressiveI = new AggressiveModeInitiator(this);
        AggressiveR = new AggressiveModeResponder(this);
        Quick = new QuickModeHandler(this);
        Info = new InformationalV1(this);
        Transactions = new TransactionExchange(this);
    }

    public IkeEngine Engine => _engine;
    public MainModeInitiator MainModeI { get; }
    public MainModeResponder MainModeR { get; }
    public AggressiveModeInitiator AggressiveI { get; }
    public AggressiveModeResponder AggressiveR { get; }
    public QuickModeHandler Quick { get; }
    public InformationalV1 Info { get; }
    public TransactionExchange Transactions { get; }

    /// <summary>Messages with ISAKMP version 1.0 that were dropped (also counted in the engine's DroppedDatagrams).</summary>
    public long Dropped { get; private set; }

    public void Drop(IkeSa? sa, IPEndPoint remote, string why)
    {
        Dropped++;
        _engine.Log.Drop(sa, remote, "IKEv1: " + why);
    }

    public void Receive(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> datagram)
    {
        if (!IsakmpMessage.TryDecodeHeader(datagram, out var h, out string error))
        {
            Drop(null, remote, $"undecodable ISAKMP header ({error})");
            return;
        }
        var sa = Find(h, remote);
        if (datagram[16] == (byte)IsakmpPayloadType.Fragment)
        {
            ReceiveFragment(sa, local, remote, datagram);
            return;
        }
        if (sa is null)
        {
            if (h.ResponderCookie == 0 && h.MessageId == 0 && !h.WasEncrypted && h.Exchange == IsakmpExchange.IdentityProtection)
            {
                if (!IsakmpMessage.TryDecode(datagram, null, out var first, out error))
                {
                    Drop(null, remote, $"Main Mode message 1: {error}");
                    return;
                }
                MainModeR.OnFirst(local, remote, first, datagram.ToArray());
                return;
            }
            if (h.ResponderCookie == 0 && h.MessageId == 0 && !h.WasEncrypted && h.Exchange == IsakmpExchange.Aggressive)
            {
                if (!IsakmpMessage.TryDecode(datagram, null, out var first, out error))
                {
                    Drop(null, remote, $"Aggressive Mode message 1: {error}");
                    return;
                }
                AggressiveR.OnFirst(local, remote, first, datagram.ToArray());
                return;
            }
            Drop(null, remote, $"{IsakmpMessage.ExchangeName(h.Exchange)} with unknown cookies {h.InitiatorCookie:x16}_i {h.ResponderCookie:x16}_r");
            return;
        }
        _engine.Touch(sa);
        var state = sa.V1!;
        var digest = SHA256.HashData(datagram[..Math.Min(datagram.Length, (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(datagram[24..]))]);
        if (state.LastReceived.TryGetValue(h.MessageId, out var last) && last.Digest.AsSpan().SequenceEqual(digest))
        {
            if (last.Answer is not null)
            {
                _engine.Log.Debug(sa, $"received retransmit of {IsakmpMessage.ExchangeName(h.Exchange)} {h.MessageId}, sending the cached answer");
                foreach (var d in last.Answer) _engine.SendRaw(sa.Local, sa.Remote, d);
            }
            else
            {
                _engine.Log.Debug(sa, $"ignoring retransmit of {IsakmpMessage.ExchangeName(h.Exchange)} {h.MessageId}");
            }
            return;
        }
        if (state.Cipher is not null && !h.WasEncrypted)
        {
            Drop(sa, remote, $"unencrypted {IsakmpMessage.ExchangeName(h.Exchange)} after keys exist");
            return;
        }
        if (!IsakmpMessage.TryDecode(datagram, h.WasEncrypted ? state.Cipher : null, out var m, out error))
        {
            if (h.WasEncrypted && h.Exchange == IsakmpExchange.IdentityProtection && state.Step is 3 or 4)
                _engine.Log.Warn(sa, $"Main Mode message from {remote} does not decrypt to valid payloads ({error}); the pre-shared keys probably differ");
            Drop(sa, remote, $"{IsakmpMessage.ExchangeName(h.Exchange)} {h.MessageId}: {error}");
            return;
        }
        Remember(state, h.MessageId, digest);
        if (m.WasEncrypted) sa.LastInbound = _engine.Clock.Now; // DPD: the peer is alive
        _engine.Log.Debug(sa, $"parsed {m}");
        if (m.WasEncrypted && (!sa.Local.Equals(local) || !sa.Remote.Equals(remote)))
        {
            // RFC 3947 §4: the peer floated to 4500 (or its NAT mapping changed); answer where it came from.
            _engine.Log.Debug(sa, $"peer moved from {sa.Remote} to {remote} (local {local})");
            sa.Local = local;
            sa.Remote = remote;
        }
        switch (m.Exchange)
        {
            case IsakmpExchange.IdentityProtection when m.MessageId == 0 && !state.Aggressive:
                if (sa.IsInitiator) MainModeI.OnMessage(sa, m);
                else MainModeR.OnMessage(sa, m);
                break;
            case IsakmpExchange.Aggressive when m.MessageId == 0 && state.Aggressive:
                if (sa.IsInitiator) AggressiveI.OnMessage(sa, m);
                else AggressiveR.OnMessage(sa, m);
                break;
            case IsakmpExchange.QuickMode when m.MessageId != 0 && sa.State is IkeSaState.Established:
                Quick.OnMessage(sa, m);
                break;
            case IsakmpExchange.QuickMode when m.MessageId != 0 && sa.State is IkeSaState.Connecting:
                // Phase 1 is not done here yet (an Aggressive Mode initiator starts Quick Mode after message 3, while our
                // check of it may wait for a CRL): forget this message so its retransmit is processed once it is.
                state.LastReceived.Remove(m.MessageId);
                state.Cipher?.Ivs.Forget(m.MessageId);
                Drop(sa, remote, $"QUICK_MODE {m.MessageId} before Phase 1 is complete; waiting for its retransmit");
                break;
            case IsakmpExchange.Informational when m.WasEncrypted && m.MessageId != 0:
                Info.OnMessage(sa, m);
                break;
            case IsakmpExchange.Informational:
                Info.OnUnprotected(sa, m, remote);
                break;
            case IsakmpExchange.Transaction when m.WasEncrypted && m.MessageId != 0 && (sa.State is IkeSaState.Established || sa.V1!.Transactions.Deferred):
                Transactions.OnMessage(sa, m);
                break;
            default:
                Drop(sa, remote, $"unexpected {IsakmpMessage.ExchangeName(m.Exchange)} {m.MessageId} in state {StateNames.Of(sa.State)}");
                break;
        }
    }

    /// <summary>
    /// A fragment (first payload 132) of the peer's message: kept with the others of its SA until the one flagged last
    /// and all before it are here, then the whole message is received as if it had come in one datagram. Fragments of
    /// unknown SAs are dropped (Petrel reassembles from the second message on: a first message in fragments is refused).
    /// </summary>
    private void ReceiveFragment(IkeSa? sa, IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> datagram)
    {
        if (sa is null)
        {
            Drop(null, remote, "IKE fragment with unknown cookies");
            return;
        }
        // Fragments travel unencrypted (racoon sets the E flag on them anyway, so it is not looked at).
        int length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(datagram[24..]);
        var payloads = new List<IsakmpPayload>();
        if (!IsakmpMessage.TryDecodePayloads(datagram[IsakmpMessage.HeaderLength..length], datagram[16], payloads, out string error, trailingAllowed: false)
            || !FragmentPayload.TryDecode(payloads[0].Body, out var fragment, out error))
        {
            Drop(sa, remote, $"malformed IKE fragment ({error})");
            return;
        }
        var state = sa.V1!;
        state.Reassembly ??= new V1Reassembly(_engine.Options.MaxPacket);
        switch (state.Reassembly.Add(fragment!, out var whole))
        {
            case FragmentOutcome.NeedMore:
                _engine.Log.Debug(sa, $"received IKE fragment #{fragment!.Number}, waiting for the complete message");
                return;
            case FragmentOutcome.TooLarge:
                Drop(sa, remote, $"fragmented IKE message exceeds max_packet ({_engine.Options.MaxPacket} bytes)");
                return;
        }
        if (whole!.Length < IsakmpMessage.HeaderLength || whole[16] == (byte)IsakmpPayloadType.Fragment)
        {
            Drop(sa, remote, "reassembled IKE fragments do not hold a message");
            return;
        }
        _engine.Log.Debug(sa, $"received IKE fragment #{fragment!.Number}, reassembled fragmented IKE message ({whole.Length} bytes)");
        Receive(local, remote, whole);
    }

    private static void Remember(Phase1State state, uint messageId, byte[] digest)
    {
        if (state.LastReceived.Count >= 16 && !state.LastReceived.ContainsKey(messageId))
            state.LastReceived.Remove(state.LastReceived.Keys.First(k => k != 0));
        state.LastReceived[messageId] = (digest, null);
    }

    /// <summary>The SA of a message: ours as responder (responder cookie ours), as initiator (initiator cookie ours), or a responder's half-open SA for a repeated message 1.</summary>
    private IkeSa? Find(IsakmpMessage h, IPEndPoint remote)
    {
        var table = _engine.SaTable;
        if (h.ResponderCookie != 0 && table.TryGet(h.ResponderCookie, out var r) && r.Version == 1 && !r.IsInitiator && r.SpiI == h.InitiatorCookie)
            return r;
        if (table.TryGet(h.InitiatorCookie, out var i) && i.Version == 1 && i.IsInitiator && (i.SpiR == 0 || h.ResponderCookie == 0 || i.SpiR == h.ResponderCookie))
            return i;
        if (h.ResponderCookie == 0 && table.FindByInitiator(remote, h.InitiatorCookie) is { Version: 1 } half)
            return half;
        return null;
    }

    public IsakmpMessage NewMessage(IkeSa sa, IsakmpExchange exchange, uint messageId) => new()
    {
        InitiatorCookie = sa.SpiI, ResponderCookie = sa.SpiR, Exchange = exchange, MessageId = messageId,
    };

    /// <summary>
    /// Encodes (encrypted once keys exist) and sends, in fragments when the message exceeds fragment_size and the peer
    /// announced fragmentation (or fragmentation = force). expectAnswer: retransmitted until Answered; answering: cached
    /// for the peer's repeat.
    /// </summary>
    public void Send(IkeSa sa, IsakmpMessage m, bool expectAnswer, bool answering)
    {
        var state = sa.V1!;
        var bytes = m.Encode(state.Cipher);
        _engine.Log.Debug(sa, $"sending {m} to {sa.Remote}");
        IReadOnlyList<byte[]> datagrams = [bytes];
        if (SendsFragments(sa))
        {
            int limit = V1Fragmenter.MaxMessage(_engine.Options.FragmentSize, sa.Local, sa.Remote, _engine.Options.IkePort);
            if (V1Fragmenter.Split(bytes, sa.SpiI, sa.SpiR, state.Aggressive, limit) is { } fragments)
            {
                _engine.Log.Debug(sa, $"splitting IKE message ({bytes.Length} bytes) into {fragments.Count} fragments of at most {limit} bytes");
                datagrams = fragments;
            }
        }
        foreach (var d in datagrams) _engine.SendRaw(sa.Local, sa.Remote, d);
        _engine.Touch(sa);
        if (expectAnswer)
            state.InFlight[m.MessageId] = new Retransmission { Datagrams = datagrams, Next = _engine.Clock.Now + _engine.Options.RetransmitTimeout };
        if (answering && state.LastReceived.TryGetValue(m.MessageId, out var last))
            state.LastReceived[m.MessageId] = (last.Digest, datagrams);
    }

    /// <summary>strongSwan's rule: force always, yes once the peer announced fragmentation, accept and no never.</summary>
    private static bool SendsFragments(IkeSa sa) =>
        sa.Config.Fragmentation.ToLowerInvariant() switch
        {
            "force" => true,
            "yes" => sa.V1!.PeerFragmentation,
            _ => false,
        };

    /// <summary>Sends an unencrypted message outside any SA (an error notify to message 1).</summary>
    public void SendRaw(IPEndPoint local, IPEndPoint remote, IsakmpMessage m)
    {
        _engine.Log.Debug(null, $"sending {m} to {remote}");
        _engine.SendRaw(local, remote, m.Encode());
    }

    public void Answered(IkeSa sa, uint messageId) => sa.V1!.InFlight.Remove(messageId);

    /// <summary>The per-SA part of the engine's Tick for IKEv1 SAs: retransmits, keepalives, DPD, lifetimes.</summary>
    public void Tick(IkeSa sa, TimeSpan now)
    {
        var state = sa.V1;
        if (state is null || sa.State == IkeSaState.Destroying) return;
        foreach (var (mid, r) in state.InFlight.ToList())
        {
            if (now < r.Next) continue;
            if (r.Tries >= _engine.Options.RetransmitTries)
            {
                state.InFlight.Remove(mid);
                GaveUp(sa, mid);
                if (sa.State == IkeSaState.Destroying) return;
                continue;
            }
            r.Tries++;
            _engine.Log.Debug(sa, $"retransmit {r.Tries} of message {mid}");
            foreach (var d in r.Datagrams) _engine.SendRaw(sa.Local, sa.Remote, d);
            r.Next = now + _engine.Options.RetransmitTimeout * Math.Pow(_engine.Options.RetransmitBase, r.Tries);
        }
        if (sa.State == IkeSaState.Established && now >= sa.NextKeepalive)
        {
            _engine.SendRaw(sa.Local, sa.Remote, [0xFF]);
            sa.NextKeepalive = now + sa.Config.KeepaliveInterval;
        }
        if (sa.IsHalfOpen && now - sa.CreatedAt >= _engine.Options.HalfOpenTimeout)
        {
            _engine.Log.Info(sa, $"half-open IKE_SA from {sa.Remote} timed out");
            _engine.Destroy(sa, "half-open timeout");
            return;
        }
        if (Transactions.TimedOut(sa, now)) return;
        if (state.Switches.Count > 0) Quick.TickSwitches(sa, now);
        Info.TickDpd(sa, now);
        if (sa.State == IkeSaState.Destroying) return;
        V1Lifetimes.Tick(this, sa, now);
    }

    private void GaveUp(IkeSa sa, uint messageId)
    {
        var state = sa.V1!;
        if (messageId == 0 || sa.State != IkeSaState.Established)
        {
            _engine.Log.Info(sa, $"giving up after {_engine.Options.RetransmitTries} retransmits");
            state.Completion?.Fail($"IKE_SA {sa.Tag}: peer not responding", sa.UniqueId);
            _engine.PeerGone(sa);
            return;
        }
        if (state.QuickModes.TryGetValue(messageId, out var qm))
        {
            _engine.Log.Info(sa, $"Quick Mode {messageId:x8} for CHILD_SA {qm.Config.Name}: peer not responding");
            Quick.Fail(sa, qm, "peer not responding");
            _engine.PeerGone(sa);
            return;
        }
        Info.GaveUp(sa, messageId);
    }

    /// <summary>Starts Main Mode for a connection (children follow with Quick Mode once Phase 1 is up).</summary>
    public void Initiate(ConnectionConfig config, List<ChildConfig> children, IPEndPoint local, IPEndPoint remote, Action<InitiateResult> done, List<uint>? reqIds = null)
    {
        var completion = new InitiateCompletion(done, Math.Max(1, children.Count));
        MainModeI.Start(config, children, local, remote, completion, reqIds);
    }

    /// <summary>Adds Quick Mode exchanges to an IKEv1 SA (established: at once; connecting: when Phase 1 is up).</summary>
    public void AddChildren(IkeSa sa, List<ChildConfig> children, Action<InitiateResult> done)
    {
        var completion = new InitiateCompletion(done, children.Count);
        if (sa.State != IkeSaState.Established)
        {
            sa.V1!.PendingChildren.AddRange(children);
            sa.V1.Completion ??= completion;
            return;
        }
        foreach (var c in children) Quick.Start(sa, c, completion);
    }

    /// <summary>Deletes the CHILD_SAs given, or the whole SA (children first, as strongSwan does), with Informational deletes.</summary>
    public void Terminate(IkeSa sa, List<ChildSa>? children, Action<InitiateResult> done)
    {
        if (children is not null)
        {
            foreach (var c in children) Info.DeleteChild(sa, c, byPeer: false);
            done(new InitiateResult(true, $"CHILD_SA {string.Join(", ", children.Select(c => $"{c.Config.Name}{{{c.UniqueId}}}"))} deleted", sa.UniqueId));
            return;
        }
        if (sa.State == IkeSaState.Established) Info.DeleteIkeSa(sa);
        _engine.Destroy(sa, "terminated");
        done(new InitiateResult(true, $"IKE_SA {sa.Tag} deleted", sa.UniqueId));
    }

    public byte[] Nonce() => _engine.RandomBytes(IkeEngine.NonceLength);
}

using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Petrel.DataPlane.Kernel;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Ike.V1.Keying;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.Informational;

/// <summary>
/// Informational exchanges (RFC 2409 §5.7: one message, HASH(1) = prf(SKEYID_a, M-ID | N/D)): deletes of Quick Mode
/// SAs and of the ISAKMP SA, error and status notifies, INITIAL_CONTACT, and RFC 3706 DPD (R-U-THERE with a
/// sequence number, answered by R-U-THERE-ACK), driven by dpd_delay and dpd_timeout as strongSwan does.
/// </summary>
internal sealed class InformationalV1(IkeV1Protocol v1)
{
    private IkeEngine E => v1.Engine;

    /// <summary>R-U-THERE messages sent (tests, statistics).</summary>
    public long DpdSent { get; private set; }

    public void OnMessage(IkeSa sa, IsakmpMessage m)
    {
        var state = sa.V1!;
        if (state.Keys is null || m.Payloads.Count < 2 || m.Payloads[0].Type != IsakmpPayloadType.Hash)
        {
            v1.Drop(sa, sa.Remote, "Informational without HASH");
            return;
        }
        var expected = V1Hashes.First(state.Suite!.Prf, state.Keys.SkeyidA, m.MessageId, IsakmpMessage.EncodePayloads(m.Payloads, 1));
        if (!CryptographicOperations.FixedTimeEquals(expected, m.Payloads[0].Body))
        {
            v1.Drop(sa, sa.Remote, $"Informational {m.MessageId:x8}: HASH(1) does not verify");
            return;
        }
        state.Cipher!.Ivs.Forget(m.MessageId);
        foreach (var p in m.Payloads.Skip(1))
        {
            if (sa.State == IkeSaState.Destroying) return;
            if (p.Type == IsakmpPayloadType.Notification && V1Notify.TryDecode(p.Body, out var n)) OnNotify(sa, n!);
            else if (p.Type == IsakmpPayloadType.Delete && V1Delete.TryDecode(p.Body, out var d)) OnDelete(sa, d!);
        }
    }

    /// <summary>An unencrypted Informational: only an error notify to our Main Mode message 1 is believed (and only before keys exist).</summary>
    public void OnUnprotected(IkeSa sa, IsakmpMessage m, IPEndPoint remote)
    {
        if (sa.IsInitiator && sa.State == IkeSaState.Connecting && sa.V1!.Cipher is null
            && m.Get(IsakmpPayloadType.Notification) is { } n && V1Notify.TryDecode(n.Body, out var notify) && notify!.IsError)
        {
            if (sa.V1.Aggressive) v1.AggressiveI.OnMessage(sa, m);
            else v1.MainModeI.OnMessage(sa, m);
            return;
        }
        v1.Drop(sa, remote, "unprotected Informational");
    }

    private void OnNotify(IkeSa sa, V1Notify n)
    {
        var state = sa.V1!;
        switch (n.Type)
        {
            case IsakmpNotify.RUThere when n.Data.Length == 4:
                E.Log.Debug(sa, $"received DPD R-U-THERE {BinaryPrimitives.ReadUInt32BigEndian(n.Data)}, answering");
                Send(sa, new V1Notify(IsakmpNotify.RUThereAck, V1Protocol.Isakmp, Cookies(sa), n.Data));
                break;
            case IsakmpNotify.RUThereAck when n.Data.Length == 4:
                uint seq = BinaryPrimitives.ReadUInt32BigEndian(n.Data);
                if (state.DpdPending is { } pending && seq == pending) state.DpdPending = null;
                break;
            case IsakmpNotify.InitialContact:
                if (sa.Config.Unique != "never") E.DestroyStaleSas(sa);
                break;
            case IsakmpNotify.ResponderLifetime:
                E.Log.Info(sa, "received RESPONDER_LIFETIME notify");
                break;
            default:
                if (n.IsError)
                {
                    E.Log.Warn(sa, $"received {V1Notify.Name(n.Type)} error notify");
                    v1.Quick.Refused(sa, n.Type);
                }
                else
                {
                    E.Log.Debug(sa, $"received {V1Notify.Name(n.Type)} notify");
                }
                break;
        }
    }

    private void OnDelete(IkeSa sa, V1Delete d)
    {
        if (d.Protocol == V1Protocol.Isakmp)
        {
            E.Log.Info(sa, $"received DELETE for IKE_SA {sa.Tag}");
            sa.ClosedByPeer = true;
            E.Destroy(sa, "deleted by peer");
            return;
        }
        if (d.Protocol is not (V1Protocol.Esp or V1Protocol.Ah)) return;
        foreach (var spiBytes in d.Spis)
        {
            if (spiBytes.Length != 4) continue;
            uint spi = BinaryPrimitives.ReadUInt32BigEndian(spiBytes);
            var child = sa.Children.FirstOrDefault(c => c.SpiOut == spi);
            if (child is null)
            {
                E.Log.Debug(sa, $"received DELETE for unknown ESP SA {spi:x8}");
                continue;
            }
            E.Log.Info(sa, $"received DELETE for ESP CHILD_SA {child.Config.Name}{{{child.UniqueId}}} with SPI {spi:x8}");
            var before = child.State;
            Remove(sa, child);
            E.ChildClosedByPeer(sa, child.Config, before);
        }
    }

    /// <summary>Sends one protected Informational with the given payload (its own message ID, HASH(1)); no answer comes.</summary>
    public void Send(IkeSa sa, V1Notify notify) => Send(sa, IsakmpPayloadType.Notification, notify.Encode());

    public void SendNotify(IkeSa sa, IsakmpNotify type) => Send(sa, new V1Notify(type, V1Protocol.Isakmp, Cookies(sa), []));

    private void Send(IkeSa sa, IsakmpPayloadType type, byte[] body)
    {
        var state = sa.V1!;
        if (state.Keys is null || state.Cipher is null) return;
        uint mid;
        do mid = BinaryPrimitives.ReadUInt32BigEndian(E.RandomBytes(4)); while (mid == 0 || state.QuickModes.ContainsKey(mid));
        var m = v1.NewMessage(sa, IsakmpExchange.Informational, mid);
        m.Add(type, body);
        m.Payloads.Insert(0, new IsakmpPayload(IsakmpPayloadType.Hash, V1Hashes.First(state.Suite!.Prf, state.Keys.SkeyidA, mid, IsakmpMessage.EncodePayloads(m.Payloads))));
        v1.Send(sa, m, expectAnswer: false, answering: false);
        state.Cipher.Ivs.Forget(mid);
    }

    public static byte[] Cookies(IkeSa sa)
    {
        var b = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(b, sa.SpiI);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(8), sa.SpiR);
        return b;
    }

    /// <summary>Deletes one Quick Mode SA: DELETE for our inbound SPI, then out of the data plane.</summary>
    public void DeleteChild(IkeSa sa, ChildSa child, bool byPeer)
    {
        var spi = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(spi, child.SpiIn);
        if (!byPeer && sa.State == IkeSaState.Established) Send(sa, IsakmpPayloadType.Delete, new V1Delete(child.Protocol == Petrel.Crypto.Proposals.SecurityProtocol.Ah ? V1Protocol.Ah : V1Protocol.Esp, [spi]).Encode());
        E.Log.Info(sa, $"deleting CHILD_SA {child.Config.Name}{{{child.UniqueId}}} with SPIs {child.SpiIn:x8}_i {child.SpiOut:x8}_o");
        Remove(sa, child);
    }

    /// <summary>Out of the data plane (a rekeyed SA's inbound half lingers, see ChildSaNegotiation.Remove); its successor forgets it.</summary>
    private void Remove(IkeSa sa, ChildSa child)
    {
        E.Children.Remove(sa, child);
        foreach (var c in sa.Children)
            if (ReferenceEquals(c.Replaces, child)) c.Replaces = null;
    }

    /// <summary>Deletes the ISAKMP SA: its Quick Mode SAs first, then the ISAKMP delete (the caller destroys the SA).</summary>
    public void DeleteIkeSa(IkeSa sa)
    {
        foreach (var c in sa.Children.ToList()) DeleteChild(sa, c, byPeer: false);
        Send(sa, IsakmpPayloadType.Delete, new V1Delete(V1Protocol.Isakmp, [Cookies(sa)]).Encode());
    }

    /// <summary>RFC 3706 with strongSwan's timing: R-U-THERE after dpd_delay without inbound traffic, the peer dead after dpd_timeout.</summary>
    public void TickDpd(IkeSa sa, TimeSpan now)
    {
        var state = sa.V1!;
        var delay = sa.Config.DpdDelay;
        if (delay <= TimeSpan.Zero || sa.State != IkeSaState.Established || !state.PeerDpd) return;
        var last = sa.LastInbound > sa.EstablishedAt ? sa.LastInbound : sa.EstablishedAt;
        if (now - last < delay) return;
        ulong packets = 0;
        foreach (var c in sa.Children)
            if (c.Installed && E.Kernel.TryGetCounters(c.SpiIn, SaDirection.Inbound, out var counters)) packets += counters.Packets;
        if (packets != sa.InboundPacketsSeen)
        {
            sa.InboundPacketsSeen = packets;
            sa.LastInbound = now;
            state.DpdPending = null;
            return;
        }
        if (state.DpdPending is not null && now - last >= sa.Config.DpdTimeout)
        {
            E.Log.Info(sa, $"DPD: no answer from {sa.Remote} for {(now - last).TotalSeconds:0} s (dpd_timeout {sa.Config.DpdTimeout.TotalSeconds:0} s), peer is dead");
            E.PeerGone(sa);
            return;
        }
        if (state.DpdPending is null || now - state.DpdSentAt >= delay)
        {
            if (state.DpdSequence == 0) state.DpdSequence = BinaryPrimitives.ReadUInt32BigEndian(E.RandomBytes(4)) & 0x7FFFFFFF | 1;
            uint seq = state.DpdSequence++;
            state.DpdPending = seq;
            state.DpdSentAt = now;
            DpdSent++;
            var data = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(data, seq);
            E.Log.Debug(sa, $"sending DPD R-U-THERE {seq}");
            Send(sa, new V1Notify(IsakmpNotify.RUThere, V1Protocol.Isakmp, Cookies(sa), data));
        }
    }

    public void GaveUp(IkeSa sa, uint messageId) => E.Log.Debug(sa, $"no answer to message {messageId:x8}");
}

using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.DataPlane.Policy;
using Petrel.Ike.Config;
using Petrel.Ike.Engine;
using Petrel.Ike.Sa;
using Petrel.Ike.V1.Keying;
using Petrel.Ike.V1.Wire;
using Petrel.Ike.V2;

namespace Petrel.Ike.V1.QuickMode;

/// <summary>
/// Quick Mode (RFC 2409 §5.5) in both roles: 1 HASH(1) SA Ni [KE] [IDci IDcr] → 2 HASH(2) SA Nr [KE] [IDci IDcr] →
/// 3 HASH(3). One proposal per configured ESP proposal; the traffic selectors travel as ID payloads (the first
/// configured selector of each side, as IKEv1 carries one pair); PFS when the child's proposals name a group.
/// The initiator installs after message 2, the responder after message 3.
/// </summary>
internal sealed class QuickModeHandler(IkeV1Protocol v1)
{
    private IkeEngine E => v1.Engine;

    public void Start(IkeSa sa, ChildConfig config, InitiateCompletion? completion, ChildSa? replaces = null, uint reqId = 0)
    {
        var state = sa.V1!;
        uint mid;
        do mid = BitConverter.ToUInt32(E.RandomBytes(4)); while (mid == 0 || state.QuickModes.ContainsKey(mid) || state.LastReceived.ContainsKey(mid));
        if (QuickModeProposals.ProtocolOf(config) == V1Protocol.Ah && sa.NatAny)
        {
            E.Log.Warn(sa, AhBehindNat(config));
            completion?.Fail(AhBehindNat(config), sa.UniqueId);
            return;
        }
        var child = E.Children.Create(sa, config, replaces?.ReqId ?? reqId);
        child.LocalTs = [child.LocalTs[0]];
        child.RemoteTs = [child.RemoteTs[0]];
        child.Replaces = replaces;
        var qm = new QuickModeExchange
        {
            MessageId = mid, Initiator = true, Config = config, Child = child, Completion = completion, Replaces = replaces,
            PfsGroup = ChildSaNegotiation.PfsGroup(config), EncapsulationMode = Encap(sa, child.Mode == Petrel.DataPlane.Kernel.IpsecMode.Transport),
            Ni = v1.Nonce(),
        };
        (qm.LifeSeconds, qm.LifeKilobytes) = QuickModeLifetimes.Configured(config);
        state.QuickModes[mid] = qm;
        var m = v1.NewMessage(sa, IsakmpExchange.QuickMode, mid);
        var offered = ChildSaNegotiation.Configured(config);
        if (qm.PfsGroup != 0)
        {
            // One KE payload per Quick Mode: as strongSwan, prefer Phase 1's group if a proposal has it, else the first
            // configured group, and offer only the proposals with that group.
            ushort phase1 = state.Suite!.GroupEntry.Id;
            if (offered.Any(p => p.OfType(TransformType.KeyExchange).Any(t => t.Id == phase1))) qm.PfsGroup = phase1;
            offered = offered.Where(p => p.OfType(TransformType.KeyExchange).Any(t => t.Id == qm.PfsGroup)).ToList();
        }
        m.Add(IsakmpPayloadType.SecurityAssociation, SaPayload.Encode(QuickModeProposals.Build(offered, child.SpiIn, qm.PfsGroup, qm.LifeSeconds, qm.LifeKilobytes, qm.EncapsulationMode,
            QuickModeProposals.ProtocolOf(config))));
        m.Add(IsakmpPayloadType.Nonce, qm.Ni);
        if (qm.PfsGroup != 0)
        {
            var method = Petrel.Ike.Keying.KeyExchanges.Find(qm.PfsGroup)!;
            qm.Ke = method.Create(E.Random);
            m.Add(IsakmpPayloadType.KeyExchange, qm.Ke.PublicKey);
        }
        m.Add(IsakmpPayloadType.Identification, IdPayload.FromSelector(child.LocalTs[0]).Encode());
        m.Add(IsakmpPayloadType.Identification, IdPayload.FromSelector(child.RemoteTs[0]).Encode());
        InsertHash(m, V1Hashes.First(state.Suite!.Prf, state.Keys!.SkeyidA, mid, IsakmpMessage.EncodePayloads(m.Payloads)));
        E.Log.Info(sa, $"initiating Quick Mode for CHILD_SA {config.Name}{{{child.UniqueId}}} {TrafficSelectorNarrowing.Format(child.LocalTs)} === {TrafficSelectorNarrowing.Format(child.RemoteTs)}{(replaces is null ? "" : $" (rekeying {{{replaces.UniqueId}}})")}");
        v1.Send(sa, m, expectAnswer: true, answering: false);
    }

    /// <summary>RFC 4302 §3.3.3: AH authenticates the outer addresses a NAT rewrites, and RFC 3948 encapsulates only ESP.</summary>
    private static string AhBehindNat(ChildConfig config) =>
        $"CHILD_SA {config.Name}: AH cannot traverse NAT (RFC 4302 §3.3.3 authenticates the outer IP addresses and RFC 3948 encapsulates only ESP in UDP); use esp_proposals";

    private static ushort Encap(IkeSa sa, bool transport)
    {
        if (!sa.NatAny) return transport ? EncapsulationMode.Transport : EncapsulationMode.Tunnel;
        bool rfc = sa.V1!.PeerNatT;
        return transport ? (rfc ? EncapsulationMode.UdpTransport : EncapsulationMode.UdpTransportDraft)
            : (rfc ? EncapsulationMode.UdpTunnel : EncapsulationMode.UdpTunnelDraft);
    }

    private static void InsertHash(IsakmpMessage m, byte[] hash) => m.Payloads.Insert(0, new IsakmpPayload(IsakmpPayloadType.Hash, hash));

    public void OnMessage(IkeSa sa, IsakmpMessage m)
    {
        var state = sa.V1!;
        if (m.Payloads.Count == 0 || m.Payloads[0].Type != IsakmpPayloadType.Hash)
        {
            v1.Drop(sa, sa.Remote, $"Quick Mode {m.MessageId:x8} does not start with HASH");
            return;
        }
        if (!state.QuickModes.TryGetValue(m.MessageId, out var qm))
        {
            Respond(sa, m);
            return;
        }
        if (qm.Initiator) OnSecond(sa, qm, m);
        else OnThird(sa, qm, m);
    }

    private bool HashMatches(byte[] expected, IsakmpMessage m) => CryptographicOperations.FixedTimeEquals(expected, m.Payloads[0].Body);

    private void Respond(IkeSa sa, IsakmpMessage m)
    {
        var state = sa.V1!;
        var prf = state.Suite!.Prf;
        if (!HashMatches(V1Hashes.First(prf, state.Keys!.SkeyidA, m.MessageId, IsakmpMessage.EncodePayloads(m.Payloads, 1)), m))
        {
            v1.Drop(sa, sa.Remote, $"Quick Mode {m.MessageId:x8}: HASH(1) does not verify");
            return;
        }
        var saPayload = m.Get(IsakmpPayloadType.SecurityAssociation);
        var nonce = m.Get(IsakmpPayloadType.Nonce)?.Body;
        if (saPayload is null || nonce is null || nonce.Length is < 8 or > 256 || !SaPayload.TryDecode(saPayload.Body, out var proposals, out string error))
        {
            E.Log.Warn(sa, $"Quick Mode {m.MessageId:x8} without valid SA and nonce payloads");
            v1.Info.SendNotify(sa, IsakmpNotify.PayloadMalformed);
            return;
        }
        var ids = m.All(IsakmpPayloadType.Identification).ToList();
        TrafficSelector tsi, tsr;
        if (ids.Count == 0)
        {
            tsi = Host(sa.Remote.Address);
            tsr = Host(sa.Local.Address);
        }
        else if (ids.Count == 2 && IdPayload.TryDecode(ids[0].Body, out var idi) && idi!.ToSelector() is { } a
                 && IdPayload.TryDecode(ids[1].Body, out var idr) && idr!.ToSelector() is { } b)
        {
            tsi = a;
            tsr = b;
        }
        else
        {
            E.Log.Warn(sa, $"Quick Mode {m.MessageId:x8}: ID payloads are not traffic selectors");
            v1.Info.SendNotify(sa, IsakmpNotify.InvalidIdInformation);
            return;
        }

        ChildConfig? config = null;
        List<TrafficSelector> local = [], remote = [];
        foreach (var c in sa.Config.Children)
        {
            var l = TrafficSelectorNarrowing.Narrow([tsr], VirtualIpSelectors.Local(sa, c.LocalTs));
            var r = TrafficSelectorNarrowing.Narrow([tsi], VirtualIpSelectors.Remote(sa, c.RemoteTs));
            if (l.Count == 0 || r.Count == 0) continue;
            config = c;
            local = [l[0]];
            remote = [r[0]];
            break;
        }
        if (config is null)
        {
            E.Log.Warn(sa, $"no CHILD_SA config of '{sa.Name}' matches the traffic selectors {tsi} === {tsr}, sending INVALID_ID_INFORMATION");
            v1.Info.SendNotify(sa, IsakmpNotify.InvalidIdInformation);
            return;
        }

        V1Proposal? chosenProposal = null;
        V1Transform? chosenTransform = null;
        Proposal? chosen = null;
        ushort group = 0, encap = 0;
        var configured = ChildSaNegotiation.Configured(config);
        byte protocol = QuickModeProposals.ProtocolOf(config);
        foreach (var p in proposals.Where(p => p.Protocol == protocol && p.Spi.Length == 4))
        {
            foreach (var t in p.Transforms)
            {
                var candidate = QuickModeProposals.ToProposal(t, out var g, out var en, out _, protocol);
                if (candidate is null || !QuickModeProposals.Acceptable(candidate, configured)) continue;
                (chosenProposal, chosenTransform, chosen, group, encap) = (p, t, candidate, g, en);
                break;
            }
            if (chosen is not null) break;
        }
        if (chosen is null)
        {
            var theirs = proposals.SelectMany(p => p.Transforms.Select(t => QuickModeProposals.ToProposal(t, out _, out _, out var why, p.Protocol)?.ToString() ?? $"({why})"));
            E.Log.Warn(sa, $"Quick Mode for CHILD_SA {config.Name}: no acceptable proposal: peer offered {string.Join(", ", theirs)}; we accept {string.Join(", ", configured)}; sending NO_PROPOSAL_CHOSEN");
            v1.Info.SendNotify(sa, IsakmpNotify.NoProposalChosen);
            return;
        }
        if (protocol == V1Protocol.Ah && sa.NatAny)
        {
            E.Log.Warn(sa, AhBehindNat(config) + "; sending NO_PROPOSAL_CHOSEN");
            v1.Info.SendNotify(sa, IsakmpNotify.NoProposalChosen);
            return;
        }
        bool wantTransport = config.Mode.Equals("transport", StringComparison.OrdinalIgnoreCase);
        if (EncapsulationMode.IsTransport(encap) != wantTransport)
        {
            E.Log.Warn(sa, $"Quick Mode for CHILD_SA {config.Name}: peer asks for {(EncapsulationMode.IsTransport(encap) ? "transport" : "tunnel")} mode, configured is {config.Mode}; sending NO_PROPOSAL_CHOSEN");
            v1.Info.SendNotify(sa, IsakmpNotify.NoProposalChosen);
            return;
        }

        // The peer rekeying (or reauthenticating) an SA we have: the new one keeps its reqid, so the policy stays.
        var existing = E.V1ChildrenOfConnection(sa.Name).FirstOrDefault(c => c.Config.Name == config.Name && c.Installed
            && c.LocalTs.SequenceEqual(local) && c.RemoteTs.SequenceEqual(remote));
        var child = E.Children.Create(sa, config, existing?.ReqId ?? 0);
        // The old SA's inbound half lingers once the peer deletes it (packets it sent before switching).
        child.Replaces = existing is not null && sa.Children.Contains(existing) ? existing : null;
        child.LocalTs = local;
        child.RemoteTs = remote;
        child.SpiOut = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(chosenProposal!.Spi);
        var qm = new QuickModeExchange
        {
            MessageId = m.MessageId, Initiator = false, Config = config, Child = child, Ni = nonce, Nr = v1.Nonce(),
            PfsGroup = group, EncapsulationMode = encap, Proposal = chosen,
        };
        // The transform goes back as offered (strongSwan's responder echoes it); a lower lifetime of ours is kept and
        // announced with RESPONDER-LIFETIME (RFC 2407 §4.6.3.1). An offer without seconds means 8 hours (RFC 2407 §4.5).
        QuickModeProposals.Lifetimes(chosenTransform!, out var seconds, out var kilobytes);
        if (seconds == 0) seconds = 28800;
        var (ourSeconds, ourKilobytes) = QuickModeLifetimes.Configured(config);
        qm.LifeSeconds = QuickModeLifetimes.Lower(seconds, ourSeconds);
        qm.LifeKilobytes = QuickModeLifetimes.Lower(kilobytes, ourKilobytes);
        bool responderLifetime = qm.LifeSeconds != seconds || qm.LifeKilobytes != kilobytes;
        var answer = v1.NewMessage(sa, IsakmpExchange.QuickMode, m.MessageId);
        var spi = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(spi, child.SpiIn);
        answer.Add(IsakmpPayloadType.SecurityAssociation, SaPayload.Encode([new V1Proposal(chosenProposal.Number, protocol, spi, [chosenTransform!])]));
        answer.Add(IsakmpPayloadType.Nonce, qm.Nr);
        if (group != 0)
        {
            var peerKe = m.Get(IsakmpPayloadType.KeyExchange)?.Body;
            var method = Petrel.Ike.Keying.KeyExchanges.Find(group);
            if (peerKe is null || method is null)
            {
                E.Log.Warn(sa, $"Quick Mode {m.MessageId:x8}: PFS group {group} without a KE payload");
                v1.Info.SendNotify(sa, IsakmpNotify.InvalidKeyInformation);
                E.Children.Remove(sa, child);
                return;
            }
            qm.Ke = method.Create(E.Random);
            try
            {
                qm.PfsSecret = qm.Ke.ComputeSharedSecret(peerKe);
            }
            catch (CryptographicException e)
            {
                E.Log.Warn(sa, $"Quick Mode {m.MessageId:x8}: invalid KE payload: {e.Message}");
                v1.Info.SendNotify(sa, IsakmpNotify.InvalidKeyInformation);
                E.Children.Remove(sa, child);
                return;
            }
            answer.Add(IsakmpPayloadType.KeyExchange, qm.Ke.PublicKey);
            qm.Ke.Dispose();
            qm.Ke = null;
        }
        if (ids.Count == 2)
        {
            answer.Add(IsakmpPayloadType.Identification, IdPayload.FromSelector(remote[0]).Encode());
            answer.Add(IsakmpPayloadType.Identification, IdPayload.FromSelector(local[0]).Encode());
        }
        if (responderLifetime)
        {
            E.Log.Info(sa, $"Quick Mode for CHILD_SA {config.Name}: peer offered {QuickModeLifetimes.Describe(seconds, kilobytes)}, ours is lower: sending RESPONDER_LIFETIME {QuickModeLifetimes.Describe(qm.LifeSeconds, qm.LifeKilobytes)}");
            answer.Add(IsakmpPayloadType.Notification, new V1Notify(IsakmpNotify.ResponderLifetime, protocol, spi,
                QuickModeLifetimes.EncodeAttributes(qm.LifeSeconds, qm.LifeKilobytes)).Encode());
        }
        InsertHash(answer, V1Hashes.Second(prf, state.Keys.SkeyidA, m.MessageId, qm.Ni, IsakmpMessage.EncodePayloads(answer.Payloads)));
        state.QuickModes[m.MessageId] = qm;
        E.Log.Info(sa, $"Quick Mode for CHILD_SA {config.Name}{{{child.UniqueId}}}: selected {chosen}");
        v1.Send(sa, answer, expectAnswer: true, answering: true);
        // The initiator may send on the new SA as soon as it has message 2: inbound now, outbound with message 3.
        if (QuickModeInstaller.Install(E, sa, qm, deferOutbound: true) is { } failure)
        {
            E.Log.Warn(sa, failure);
            state.QuickModes.Remove(m.MessageId);
            v1.Answered(sa, m.MessageId);
        }
    }

    private static TrafficSelector Host(System.Net.IPAddress a) => new(a, a);

    private void OnSecond(IkeSa sa, QuickModeExchange qm, IsakmpMessage m)
    {
        var state = sa.V1!;
        var prf = state.Suite!.Prf;
        if (!HashMatches(V1Hashes.Second(prf, state.Keys!.SkeyidA, m.MessageId, qm.Ni, IsakmpMessage.EncodePayloads(m.Payloads, 1)), m))
        {
            v1.Drop(sa, sa.Remote, $"Quick Mode {m.MessageId:x8}: HASH(2) does not verify");
            return;
        }
        v1.Answered(sa, m.MessageId);
        var saPayload = m.Get(IsakmpPayloadType.SecurityAssociation);
        var nonce = m.Get(IsakmpPayloadType.Nonce)?.Body;
        if (saPayload is null || nonce is null || !SaPayload.TryDecode(saPayload.Body, out var proposals, out string error)
            || proposals.Count != 1 || proposals[0].Transforms.Count != 1 || proposals[0].Spi.Length != 4)
        {
            Fail(sa, qm, "Quick Mode response without a single chosen ESP or AH transform and a nonce");
            return;
        }
        if (proposals[0].Protocol != QuickModeProposals.ProtocolOf(qm.Config))
        {
            Fail(sa, qm, $"peer chose protocol {proposals[0].Protocol}, we offered {QuickModeProposals.ProtocolOf(qm.Config)}");
            return;
        }
        var chosen = QuickModeProposals.ToProposal(proposals[0].Transforms[0], out var group, out var encap, out error, proposals[0].Protocol);
        if (chosen is null || !QuickModeProposals.Acceptable(chosen, ChildSaNegotiation.Configured(qm.Config)) || group != qm.PfsGroup)
        {
            Fail(sa, qm, $"peer chose a transform we did not offer ({chosen?.ToString() ?? error})");
            return;
        }
        if (qm.PfsGroup != 0)
        {
            var peerKe = m.Get(IsakmpPayloadType.KeyExchange)?.Body;
            if (peerKe is null)
            {
                Fail(sa, qm, "PFS answer without a KE payload");
                return;
            }
            try
            {
                qm.PfsSecret = qm.Ke!.ComputeSharedSecret(peerKe);
            }
            catch (CryptographicException e)
            {
                Fail(sa, qm, $"invalid KE payload: {e.Message}");
                return;
            }
            qm.Ke.Dispose();
            qm.Ke = null;
        }
        var ids = m.All(IsakmpPayloadType.Identification).ToList();
        if (ids.Count == 2 && IdPayload.TryDecode(ids[0].Body, out var idi) && idi!.ToSelector() is { } tsi
            && IdPayload.TryDecode(ids[1].Body, out var idr) && idr!.ToSelector() is { } tsr)
        {
            if (!TrafficSelectorNarrowing.IsSubset([tsi], qm.Child.LocalTs) || !TrafficSelectorNarrowing.IsSubset([tsr], qm.Child.RemoteTs))
            {
                Fail(sa, qm, $"peer selected traffic selectors {tsi} === {tsr} outside ours");
                return;
            }
            qm.Child.LocalTs = [tsi];
            qm.Child.RemoteTs = [tsr];
        }
        qm.Nr = nonce;
        qm.Proposal = chosen;
        qm.EncapsulationMode = encap;
        // As strongSwan: the lifetimes in the returned transform are the SA's; then a lower RESPONDER-LIFETIME wins.
        QuickModeProposals.Lifetimes(proposals[0].Transforms[0], out var seconds, out var kilobytes);
        if (seconds > 0 && seconds != qm.LifeSeconds)
        {
            E.Log.Info(sa, $"received {seconds}s lifetime, configured {qm.LifeSeconds}s");
            qm.LifeSeconds = seconds;
        }
        if (kilobytes != qm.LifeKilobytes)
        {
            E.Log.Info(sa, $"received {kilobytes * 1000} lifebytes, configured {qm.LifeKilobytes * 1000}");
            qm.LifeKilobytes = kilobytes;
        }
        foreach (var n in m.All(IsakmpPayloadType.Notification))
        {
            if (!V1Notify.TryDecode(n.Body, out var notify) || notify!.Type != IsakmpNotify.ResponderLifetime) continue;
            if (!QuickModeLifetimes.TryDecodeAttributes(notify.Data, out var rs, out var rkb))
            {
                E.Log.Warn(sa, $"Quick Mode {m.MessageId:x8}: RESPONDER_LIFETIME with malformed attributes ignored");
                continue;
            }
            ulong s2 = QuickModeLifetimes.Lower(qm.LifeSeconds, rs), kb2 = QuickModeLifetimes.Lower(qm.LifeKilobytes, rkb);
            E.Log.Info(sa, $"peer's RESPONDER_LIFETIME {QuickModeLifetimes.Describe(rs, rkb)}: CHILD_SA {qm.Config.Name} lives {QuickModeLifetimes.Describe(s2, kb2)}");
            (qm.LifeSeconds, qm.LifeKilobytes) = (s2, kb2);
        }
        qm.Child.SpiOut = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(proposals[0].Spi);
        var third = v1.NewMessage(sa, IsakmpExchange.QuickMode, m.MessageId);
        third.Add(IsakmpPayloadType.Hash, V1Hashes.Third(prf, state.Keys.SkeyidA, m.MessageId, qm.Ni, qm.Nr));
        // A rekey keeps sending on the old SA until the peer has surely installed the new one (it does so with message 3).
        if (QuickModeInstaller.Install(E, sa, qm, deferOutbound: qm.Replaces is not null) is { } failure)
        {
            Fail(sa, qm, failure);
            return;
        }
        v1.Send(sa, third, expectAnswer: false, answering: true);
        state.QuickModes.Remove(m.MessageId);
        Finished(sa, qm);
    }

    private void OnThird(IkeSa sa, QuickModeExchange qm, IsakmpMessage m)
    {
        var state = sa.V1!;
        if (!HashMatches(V1Hashes.Third(state.Suite!.Prf, state.Keys!.SkeyidA, m.MessageId, qm.Ni, qm.Nr), m))
        {
            v1.Drop(sa, sa.Remote, $"Quick Mode {m.MessageId:x8}: HASH(3) does not verify");
            return;
        }
        v1.Answered(sa, m.MessageId);
        state.QuickModes.Remove(m.MessageId);
        E.Children.InstallPendingOutbound(sa, qm.Child);
        Superseded(sa, qm.Child);
        Finished(sa, qm);
    }

    private void Finished(IkeSa sa, QuickModeExchange qm)
    {
        qm.Completion?.ChildUp($"CHILD_SA {qm.Config.Name}{{{qm.Child.UniqueId}}}", sa.UniqueId);
        if (qm.Replaces is not { } old) return;
        if (qm.Initiator)
        {
            // Make before break: the new SA receives now; it sends once the peer has had time to process message 3,
            // and only then does the old SA go with an Informational delete.
            sa.V1!.Switches.Add(new Switchover(E.Clock.Now + SwitchDelay, qm.Child, old));
            E.Log.Debug(sa, $"CHILD_SA {qm.Config.Name}{{{qm.Child.UniqueId}}} sends on {{{old.UniqueId}}} for {SwitchDelay.TotalSeconds:0.#} s more");
        }
        else if (sa.Children.Contains(old))
        {
            old.MoveTo(ChildSaState.Rekeyed);
            v1.Info.DeleteChild(sa, old, byPeer: false);
        }
    }

    /// <summary>The peer's rekey of one of our SAs is done (message 3): the old SA is not rekeyed again, and waits for the peer's delete.</summary>
    private static void Superseded(IkeSa sa, ChildSa child)
    {
        if (child.Replaces is not { } old || !sa.Children.Contains(old) || old.State != ChildSaState.Installed) return;
        old.RekeyAt = Sa.LifetimeSchedule.Never;
        old.MoveTo(ChildSaState.Rekeyed);
    }

    /// <summary>How long a Quick Mode rekey we started keeps sending on the old SA after message 3.</summary>
    public static readonly TimeSpan SwitchDelay = TimeSpan.FromSeconds(1);

    /// <summary>Rekeys whose switch-over is due: the new SA's outbound goes in, the old SA is deleted.</summary>
    public void TickSwitches(IkeSa sa, TimeSpan now)
    {
        var switches = sa.V1!.Switches;
        for (int i = switches.Count - 1; i >= 0; i--)
        {
            var s = switches[i];
            if (s.Due > now) continue;
            switches.RemoveAt(i);
            if (sa.Children.Contains(s.New)) E.Children.InstallPendingOutbound(sa, s.New);
            if (sa.Children.Contains(s.Old))
            {
                s.Old.MoveTo(ChildSaState.Rekeyed);
                v1.Info.DeleteChild(sa, s.Old, byPeer: false);
            }
        }
    }

    public void Fail(IkeSa sa, QuickModeExchange qm, string reason)
    {
        E.Log.Warn(sa, $"Quick Mode for CHILD_SA {qm.Config.Name} failed: {reason}");
        sa.V1!.QuickModes.Remove(qm.MessageId);
        sa.V1.InFlight.Remove(qm.MessageId);
        qm.Ke?.Dispose();
        qm.Completion?.Fail($"CHILD_SA {qm.Config.Name}: {reason}", sa.UniqueId);
        if (qm.Child.State == ChildSaState.Created) qm.Child.MoveTo(ChildSaState.Destroying);
        else if (sa.Children.Contains(qm.Child)) E.Children.Remove(sa, qm.Child);
    }

    /// <summary>The peer answered a Quick Mode of ours with an error notify.</summary>
    public void Refused(IkeSa sa, IsakmpNotify type)
    {
        foreach (var qm in sa.V1!.QuickModes.Values.Where(q => q.Initiator).ToList())
            Fail(sa, qm, $"peer sent {V1Notify.Name(type)}" + (type == IsakmpNotify.NoProposalChosen ? $" (we offered {string.Join(", ", ChildSaNegotiation.Configured(qm.Config))})" : ""));
    }
}

using System.Net;
using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Policy;
using Petrel.Ike.Config;
using Petrel.Ike.Keying;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2;

/// <summary>
/// The CHILD_SA part shared by IKE_AUTH and CREATE_CHILD_SA: SA/TSi/TSr payloads, proposal selection,
/// traffic selector narrowing (RFC 7296 §2.9), KEYMAT (§2.17) and installation into the data plane.
/// </summary>
internal sealed class ChildSaNegotiation(IIkeContext context)
{
    /// <param name="reqId">A rekey keeps the reqid of the SA it replaces (its policy stays); 0 allocates one.</param>
    public ChildSa Create(IkeSa sa, ChildConfig config, uint reqId = 0)
    {
        var child = new ChildSa
        {
            UniqueId = context.Sas.NewChildId(),
            ReqId = reqId != 0 ? reqId : context.Sas.NewReqId(),
            Config = config,
            Mode = config.Mode.Equals("transport", StringComparison.OrdinalIgnoreCase) ? IpsecMode.Transport : IpsecMode.Tunnel,
            Protocol = config.EspProposals.Count == 0 && config.AhProposals.Count > 0 ? SecurityProtocol.Ah : SecurityProtocol.Esp,
            Owner = sa,
        };
        child.StateChanged = context.Events.ChildObserver;
        child.SpiIn = context.Kernel.AllocateSpi();
        child.LocalTs = VirtualIpSelectors.Local(sa, config.LocalTs);
        child.RemoteTs = VirtualIpSelectors.Remote(sa, config.RemoteTs);
        context.Sas.AddAcquireSelectors(sa, child);
        return child;
    }

    public static IReadOnlyList<Proposal> Configured(ChildConfig config)
    {
        if (config.EspProposals.Count > 0) return config.EspProposals;
        if (config.AhProposals.Count > 0) return config.AhProposals;
        return ProposalParser.Default(SecurityProtocol.Esp);
    }

    /// <summary>The first KE group of the child's proposals: PFS is wanted when there is one (§1.3.1).</summary>
    public static ushort PfsGroup(ChildConfig config)
    {
        foreach (var p in Configured(config))
            if (ProposalText.First(p, TransformType.KeyExchange) is { Id: > 0 } t) return t.Id;
        return 0;
    }

    /// <summary>Initiator: SA, TSi, TSr and the mode notify of a CHILD_SA request.</summary>
    public void AddRequest(IkeSa sa, ChildSa child, IkeMessage m, bool withKeyExchange)
    {
        if (child.Mode == IpsecMode.Transport)
            m.Payloads.Add(new NotifyPayload(NotifyType.UseTransportMode));
        m.Payloads.Add(new SecurityAssociationPayload(ProposalText.ForChild(Configured(child.Config), child.SpiIn, withKeyExchange)));
        m.Payloads.Add(new TrafficSelectorPayload(true, child.LocalTs));
        m.Payloads.Add(new TrafficSelectorPayload(false, child.RemoteTs));
    }

    /// <summary>
    /// Initiator: checks the responder's answer for a CHILD_SA and installs it. Returns null on success or
    /// the reason it failed (an error notify, or a response that does not fit what we proposed).
    /// </summary>
    /// <param name="additionalSecrets">RFC 9370: SK(1) | … | SK(n) of the IKE_FOLLOWUP_KE exchanges, after the nonces in KEYMAT.</param>
    public string? CompleteAsInitiator(IkeSa sa, ChildSa child, IkeMessage response, ReadOnlySpan<byte> pfsSecret, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr, bool withKeyExchange,
        ReadOnlySpan<byte> additionalSecrets = default)
    {
        foreach (var n in response.GetAll<NotifyPayload>())
        {
            if (!n.IsError) continue;
            string detail = n.NotifyType switch
            {
                NotifyType.NoProposalChosen => $"; we proposed {ProposalText.Describe(Configured(child.Config))}",
                NotifyType.TsUnacceptable => $"; we proposed TSi {TrafficSelectorNarrowing.Format(child.LocalTs)} TSr {TrafficSelectorNarrowing.Format(child.RemoteTs)}",
                _ => "",
            };
            string failure = $"CHILD_SA {child.Config.Name} failed: peer answered {NotifyNames.Of(n.NotifyType)}{detail}";
            context.Events.Failed(sa, n.NotifyType switch { NotifyType.NoProposalChosen => SaFailure.Proposal, NotifyType.TsUnacceptable => SaFailure.TrafficSelector, _ => SaFailure.Other }, failure);
            return failure;
        }
        var saPayload = response.Get<SecurityAssociationPayload>();
        var tsi = response.Get(PayloadType.TrafficSelectorInitiator) as TrafficSelectorPayload;
        var tsr = response.Get(PayloadType.TrafficSelectorResponder) as TrafficSelectorPayload;
        if (saPayload is null || saPayload.Proposals.Count != 1 || tsi is null || tsr is null)
            return $"CHILD_SA {child.Config.Name}: response lacks SA (one proposal), TSi or TSr";
        var chosen = saPayload.Proposals[0];
        var ours = ProposalText.ForChild(Configured(child.Config), child.SpiIn, withKeyExchange);
        if (ProposalSelector.Select(ours, [chosen]) is null)
            return $"CHILD_SA {child.Config.Name}: peer chose {ProposalText.Describe(chosen)}, which we did not propose";
        if (chosen.Spi.Length != 4)
            return $"CHILD_SA {child.Config.Name}: peer's SPI has {chosen.Spi.Length} bytes";
        // §2.23.1: across a NAT a transport-mode responder answers with the addresses it sees; ours replace them back.
        IReadOnlyList<TrafficSelector> answeredI = tsi.Selectors, answeredR = tsr.Selectors;
        if (child.Mode == IpsecMode.Transport && response.GetNotify(NotifyType.UseTransportMode) is not null)
        {
            answeredI = TransportModeNat.Substitute(tsi.Selectors, sa.NatHere, sa.Local.Address, out var seenLocal);
            answeredR = TransportModeNat.Substitute(tsr.Selectors, sa.NatThere, sa.Remote.Address, out var seenRemote);
            child.LocalAddressAsPeerSees = TransportModeNat.Learned(seenLocal, sa.NatHere, sa.Local.Address);
            child.PeerOriginalAddress = TransportModeNat.Learned(seenRemote, sa.NatThere, sa.Remote.Address);
            if (!ReferenceEquals(answeredI, tsi.Selectors) || !ReferenceEquals(answeredR, tsr.Selectors))
                context.Log.Info(sa, $"CHILD_SA {child.Config.Name}: transport mode behind NAT, peer's TS {TrafficSelectorNarrowing.Format(tsi.Selectors)} === {TrafficSelectorNarrowing.Format(tsr.Selectors)} taken as {TrafficSelectorNarrowing.Format(answeredI)} === {TrafficSelectorNarrowing.Format(answeredR)} (RFC 7296 §2.23.1)");
        }
        // §2.9: the responder may only narrow what we proposed.
        if (!TrafficSelectorNarrowing.IsSubset(answeredI, child.LocalTs) || !TrafficSelectorNarrowing.IsSubset(answeredR, child.RemoteTs))
            return $"CHILD_SA {child.Config.Name}: peer's TSi {TrafficSelectorNarrowing.Format(tsi.Selectors)} TSr {TrafficSelectorNarrowing.Format(tsr.Selectors)} widen what we proposed";
        if (tsi.Selectors.Count == 0 || tsr.Selectors.Count == 0)
            return $"CHILD_SA {child.Config.Name}: peer returned empty traffic selectors";
        if (child.Mode == IpsecMode.Transport && response.GetNotify(NotifyType.UseTransportMode) is null)
            child.Mode = IpsecMode.Tunnel;
        child.LocalTs = [.. answeredI];
        child.RemoteTs = [.. answeredR];
        child.Proposal = chosen;
        child.SpiOut = ProposalText.SpiOf(chosen);
        return Install(sa, child, pfsSecret, ni, nr, exchangeInitiator: true, additionalSecrets: additionalSecrets);
    }

    /// <summary>
    /// Responder: picks the child config whose selectors intersect the request's, selects a proposal, and on
    /// success fills the response and installs the CHILD_SA. On failure returns the error notify to send.
    /// </summary>
    public NotifyType? Respond(IkeSa sa, IkeMessage request, IkeMessage response, ReadOnlySpan<byte> pfsSecret, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr,
        bool allowKeyExchange, ChildConfig? fixedConfig, out ChildSa? created, out string reason, ChildSa? replacing = null)
    {
        created = null;
        var saPayload = request.Get<SecurityAssociationPayload>();
        var tsi = request.Get(PayloadType.TrafficSelectorInitiator) as TrafficSelectorPayload;
        var tsr = request.Get(PayloadType.TrafficSelectorResponder) as TrafficSelectorPayload;
        if (saPayload is null || tsi is null || tsr is null)
        {
            reason = "CHILD_SA request lacks SA, TSi or TSr";
            return NotifyType.InvalidSyntax;
        }

        // §2.23.1: transport mode across a NAT: the NATed side's host selector becomes the address
        // this IKE SA uses for it; the peer's original view is kept for the checksum fix-up.
        IReadOnlyList<TrafficSelector> proposedI = tsi.Selectors, proposedR = tsr.Selectors;
        IPAddress? peerOriginal = null, localAsPeerSees = null;
        if (request.GetNotify(NotifyType.UseTransportMode) is not null)
        {
            proposedI = TransportModeNat.Substitute(tsi.Selectors, sa.NatThere, sa.Remote.Address, out peerOriginal);
            proposedR = TransportModeNat.Substitute(tsr.Selectors, sa.NatHere, sa.Local.Address, out localAsPeerSees);
        }

        ChildConfig? config = null;
        List<TrafficSelector>? narrowedI = null, narrowedR = null;
        var candidates = fixedConfig is not null ? [fixedConfig] : sa.Config.Children;
        foreach (var c in candidates)
        {
            var local = VirtualIpSelectors.Local(sa, c.LocalTs);
            var remote = VirtualIpSelectors.Remote(sa, c.RemoteTs);
            // §2.9: TSi is the initiator's side (our remote), TSr ours.
            var ni2 = TrafficSelectorNarrowing.Narrow(proposedI, remote);
            var nr2 = TrafficSelectorNarrowing.Narrow(proposedR, local);
            if (ni2.Count > 0 && nr2.Count > 0)
            {
                config = c; narrowedI = ni2; narrowedR = nr2;
                break;
            }
        }
        if (config is null)
        {
            var configured = string.Join("; ", candidates.Select(c => $"{c.Name}: {string.Join(",", c.RemoteTs)} === {string.Join(",", c.LocalTs)}"));
            reason = $"traffic selectors unacceptable: peer proposed TSi {TrafficSelectorNarrowing.Format(tsi.Selectors)} TSr {TrafficSelectorNarrowing.Format(tsr.Selectors)}, we have {(configured.Length == 0 ? "no children" : configured)}";
            context.Events.Failed(sa, SaFailure.TrafficSelector, reason);
            return NotifyType.TsUnacceptable;
        }

        var ours = ProposalText.ForChild(Configured(config), 0, allowKeyExchange);
        var theirs = saPayload.Proposals;
        if (!allowKeyExchange)
            theirs = StripKeyExchange(theirs);
        var selected = ProposalSelector.Select(ours, theirs);
        if (selected is null || selected.Spi.Length != 4)
        {
            reason = $"no proposal chosen for CHILD_SA {config.Name}: peer offered {ProposalText.Describe(saPayload.Proposals)}, we accept {ProposalText.Describe(ours)}";
            context.Events.Failed(sa, SaFailure.Proposal, reason);
            return NotifyType.NoProposalChosen;
        }

        var child = Create(sa, config, replacing?.ReqId ?? 0);
        child.Replaces = replacing;
        child.Proposal = selected;
        child.SpiOut = ProposalText.SpiOf(selected);
        child.LocalTs = narrowedR!;
        child.RemoteTs = narrowedI!;
        // §1.3.1: transport mode only when both ask for it; otherwise tunnel.
        bool transport = request.GetNotify(NotifyType.UseTransportMode) is not null && child.Mode == IpsecMode.Transport;
        child.Mode = transport ? IpsecMode.Transport : IpsecMode.Tunnel;
        if (transport)
        {
            child.PeerOriginalAddress = peerOriginal;
            child.LocalAddressAsPeerSees = localAsPeerSees;
            if (!ReferenceEquals(proposedI, tsi.Selectors) || !ReferenceEquals(proposedR, tsr.Selectors))
                context.Log.Info(sa, $"CHILD_SA {config.Name}: transport mode behind NAT, received TS {TrafficSelectorNarrowing.Format(tsi.Selectors)} === {TrafficSelectorNarrowing.Format(tsr.Selectors)} changed to {TrafficSelectorNarrowing.Format(proposedI)} === {TrafficSelectorNarrowing.Format(proposedR)} (RFC 7296 §2.23.1)");
        }

        // RFC 9370 §2.2.4: with additional key exchanges the keys are known only after the IKE_FOLLOWUP_KE exchanges,
        // so the caller installs the CHILD_SA then (InstallAfterFollowUp).
        if (AdditionalKeyExchanges.Of(selected).Count == 0 || pfsSecret.Length == 0)
        {
            var error = Install(sa, child, pfsSecret, ni, nr, exchangeInitiator: false, deferOutbound: replacing is not null);
            if (error is not null)
            {
                reason = error;
                return NotifyType.NoProposalChosen;
            }
        }
        if (transport)
            response.Payloads.Add(new NotifyPayload(NotifyType.UseTransportMode));
        response.Payloads.Add(new SecurityAssociationPayload([selected with { Spi = SpiBytes(child.SpiIn) }]));
        response.Payloads.Add(new TrafficSelectorPayload(true, child.RemoteTs));
        response.Payloads.Add(new TrafficSelectorPayload(false, child.LocalTs));
        created = child;
        reason = "";
        return null;
    }

    /// <summary>The first child config whose selectors intersect the request's TSi/TSr (null if none or they are missing).</summary>
    public static ChildConfig? FindConfig(IkeSa sa, IkeMessage request)
    {
        if (request.Get(PayloadType.TrafficSelectorInitiator) is not TrafficSelectorPayload tsi
            || request.Get(PayloadType.TrafficSelectorResponder) is not TrafficSelectorPayload tsr)
            return null;
        IReadOnlyList<TrafficSelector> proposedI = tsi.Selectors, proposedR = tsr.Selectors;
        if (request.GetNotify(NotifyType.UseTransportMode) is not null)
        {
            proposedI = TransportModeNat.Substitute(tsi.Selectors, sa.NatThere, sa.Remote.Address, out _);
            proposedR = TransportModeNat.Substitute(tsr.Selectors, sa.NatHere, sa.Local.Address, out _);
        }
        foreach (var c in sa.Config.Children)
        {
            var local = VirtualIpSelectors.Local(sa, c.LocalTs);
            var remote = VirtualIpSelectors.Remote(sa, c.RemoteTs);
            if (TrafficSelectorNarrowing.Narrow(proposedI, remote).Count > 0 && TrafficSelectorNarrowing.Narrow(proposedR, local).Count > 0)
                return c;
        }
        return null;
    }

    private static List<Proposal> StripKeyExchange(IReadOnlyList<Proposal> proposals)
    {
        var result = new List<Proposal>(proposals.Count);
        foreach (var p in proposals)
        {
            var ts = new List<Transform>();
            foreach (var t in p.Transforms)
                if (t.Type != TransformType.KeyExchange && !AlgorithmCatalog.IsAdditionalKeyExchange(t.Type)) ts.Add(t);
            result.Add(p with { Transforms = ts });
        }
        return result;
    }

    private static byte[] SpiBytes(uint spi)
    {
        var b = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b, spi);
        return b;
    }

    /// <summary>Responder, after the last IKE_FOLLOWUP_KE (RFC 9370 §2.2.4): KEYMAT over every secret in order, and install.</summary>
    public string? InstallAfterFollowUp(IkeSa sa, ChildSa child, ReadOnlySpan<byte> first, ReadOnlySpan<byte> additional, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr) =>
        Install(sa, child, first, ni, nr, exchangeInitiator: false, deferOutbound: child.Replaces is not null, additionalSecrets: additional);

    /// <summary>KEYMAT (§2.17) and install: inbound SA first, then outbound, then the policy.</summary>
    /// <param name="deferOutbound">Responder of a rekey: keep the outbound SA back until the old SA is deleted (<see cref="ChildSa.PendingOutbound"/>).</param>
    private string? Install(IkeSa sa, ChildSa child, ReadOnlySpan<byte> pfsSecret, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr, bool exchangeInitiator, bool deferOutbound = false,
        ReadOnlySpan<byte> additionalSecrets = default)
    {
        // RFC 4302 §3.3.3: AH's ICV covers the outer addresses a NAT rewrites, and RFC 3948
        // encapsulates ESP only, so an AH CHILD_SA behind a NAT (or with encap = yes) cannot work.
        if (child.Protocol == SecurityProtocol.Ah && sa.NatAny)
            return $"CHILD_SA {child.Config.Name}: AH cannot traverse NAT ({NatReason(sa)}; RFC 4302 §3.3.3 authenticates the outer IP addresses and RFC 3948 encapsulates only ESP in UDP); use esp_proposals";
        var p = child.Proposal!;
        var encr = ProposalText.First(p, TransformType.Encryption);
        var integ = ProposalText.First(p, TransformType.Integrity);
        if (integ is { Id: 0 }) integ = null;
        int encLength = 0, integLength = 0;
        if (encr is { } e)
        {
            if (!AlgorithmCatalog.TryFind(e, out var entry) || entry.Encryption is null)
                return $"CHILD_SA {child.Config.Name}: {AlgorithmCatalog.Describe(e)} is not supported";
            encLength = entry.Encryption.KeyLength;
            if (entry.Encryption.IsAead) integ = null;
        }
        if (integ is { } i)
        {
            if (!AlgorithmCatalog.TryFind(i, out var entry) || entry.Integrity is null)
                return $"CHILD_SA {child.Config.Name}: {AlgorithmCatalog.Describe(i)} is not supported";
            integLength = entry.Integrity.KeyLength;
        }

        // What list-sas shows: the PFS group and RFC 9370's additional key exchanges, only when their secrets enter KEYMAT.
        child.PerformedKeyExchanges.Clear();
        if (pfsSecret.Length > 0 && ProposalText.First(p, TransformType.KeyExchange) is { Id: > 0 } pfs)
        {
            child.PerformedKeyExchanges.Add(pfs);
            child.PerformedKeyExchanges.AddRange(AdditionalKeyExchanges.Of(p));
        }
        using var keys = IkeKeyDerivation.DeriveChildSaKeys(sa.Suite!.Prf, sa.Keys!.SkD, pfsSecret, ni, nr, encLength, integLength, additionalSecrets);
        // §2.17: the first keys protect traffic from the exchange's initiator to its responder.
        child.EncKeyOut = (exchangeInitiator ? keys.EncryptionInitiatorToResponder : keys.EncryptionResponderToInitiator).ToArray();
        child.IntegKeyOut = (exchangeInitiator ? keys.IntegrityInitiatorToResponder : keys.IntegrityResponderToInitiator).ToArray();
        child.EncKeyIn = (exchangeInitiator ? keys.EncryptionResponderToInitiator : keys.EncryptionInitiatorToResponder).ToArray();
        child.IntegKeyIn = (exchangeInitiator ? keys.IntegrityResponderToInitiator : keys.IntegrityInitiatorToResponder).ToArray();

        child.Encap = sa.NatAny;
        var algorithms = new ChildSaAlgorithms(
            child.Protocol == SecurityProtocol.Ah ? IpsecProtocol.Ah : IpsecProtocol.Esp,
            encr ?? new Transform(TransformType.Encryption, 0), integ)
        {
            ExtendedSequenceNumbers = ProposalText.Esn(p),
            TfcPadding = child.Config.TfcPadding == ChildConfig.TfcPaddingMtu ? SaSpec.TfcPaddingMtu : child.Config.TfcPadding,
        };
        return ChildSaInstaller.Install(context, sa, child, algorithms, deferOutbound);
    }

    private static string NatReason(IkeSa sa) =>
        sa.NatHere && sa.NatThere ? "NAT detected on both sides"
        : sa.NatHere ? "NAT detected in front of us"
        : sa.NatThere ? "NAT detected in front of the peer"
        : "encap = yes forces UDP encapsulation";

    /// <summary>Removes both SAs and the policy and forgets the keys.</summary>
    public void Remove(IkeSa sa, ChildSa child)
    {
        if (child.Installed)
        {
            // Make before break: a replacement whose outbound SA waited for this one to go takes over first.
            foreach (var other in sa.Children)
            {
                if (ReferenceEquals(other.Replaces, child) && other.PendingOutbound is not null && other.Installed)
                    InstallPendingOutbound(sa, other);
            }
            IkeEngine.RetireAccounting(context.Kernel, sa, child);
            bool shared = context.Sas.ReqIdInUse(child.ReqId, child);
            if (!shared) context.Kernel.RemovePolicy(child.ReqId);
            // A rekeyed CHILD_SA's inbound SA lingers for packets the peer sent before it switched over.
            bool replaced = sa.Children.Exists(o => !ReferenceEquals(o, child) && ReferenceEquals(o.Replaces, child));
            context.Sas.RemoveInbound(sa, child, replaced);
            if (child.PendingOutbound is null) context.Kernel.RemoveSa(child.SpiOut, SaDirection.Outbound);
            else
            {
                // The held-back outbound SA never reached the data plane: its keys die here.
                CryptographicOperations.ZeroMemory(child.PendingOutbound.EncryptionKey);
                CryptographicOperations.ZeroMemory(child.PendingOutbound.IntegrityKey);
            }
            child.PendingOutbound = null;
            context.Sas.SetInstalled(child, false);
        }
        child.ZeroKeys();
        child.MoveTo(ChildSaState.Destroying);
        sa.Children.Remove(child);
    }

    /// <summary>Installs the outbound SA a rekey responder held back (the peer now receives on the new SA).</summary>
    public void InstallPendingOutbound(IkeSa sa, ChildSa child)
    {
        var spec = child.PendingOutbound;
        if (spec is null) return;
        child.PendingOutbound = null;
        try
        {
            context.Kernel.InstallSa(spec);
            context.Log.Debug(sa, $"CHILD_SA {child.Config.Name}{{{child.UniqueId}}} outbound SA {child.SpiOut:x8} installed");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            context.Log.Warn(sa, $"CHILD_SA {child.Config.Name}{{{child.UniqueId}}}: data plane refused outbound SA {child.SpiOut:x8}: {ex.Message}");
        }
    }
}

using Microsoft.Extensions.Logging;
using System.Net;
using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Config;
using Petrel.Ike.Keying;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.IkeSaInit;

/// <summary>
/// IKE_SA_INIT as responder (RFC 7296 §1.2). Stays stateless until the request is acceptable: errors
/// (NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD, COOKIE) are answered without creating an IKE SA (§2.6, §2.7).
/// </summary>
internal sealed class IkeSaInitResponder(IIkeContext context)
{
    /// <summary>How long one COOKIE secret is used before a new one replaces it (the one before stays valid for as long again).</summary>
    public static readonly TimeSpan CookieSecretLifetime = TimeSpan.FromMinutes(2);

    private readonly CookieSecrets _cookies = new(context);

    public void Handle(IPEndPoint local, IPEndPoint remote, IkeMessage request)
    {
        var saPayload = request.Get<SecurityAssociationPayload>();
        var ke = request.Get<KeyExchangePayload>();
        var nonce = request.Get<NoncePayload>();
        if (saPayload is null || ke is null || nonce is null || !nonce.HasValidLength)
        {
            if (context.Log.Unauthenticated.Admit(LogLevel.Debug, "IKE_SA_INIT without SA, KE or a valid nonce, dropped", remote.Address)) context.Log.Unauthenticated.Write(LogLevel.Debug, $"IKE_SA_INIT from {remote} lacks SA, KE or a valid nonce, dropped");
            return;
        }

        // §2.6: under half-open load, demand proof that the initiator receives at its address.
        if (context.Sas.HalfOpenCount >= context.Options.CookieThreshold)
        {
            var offered = request.GetNotify(NotifyType.Cookie);
            if (offered is null || !_cookies.Verify(offered.Data.Span, nonce.Data.Span, remote, request.InitiatorSpi))
            {
                var expected = _cookies.Make(nonce.Data.Span, remote, request.InitiatorSpi);
                if (context.Log.Unauthenticated.Admit(LogLevel.Information, "asking for a COOKIE", remote.Address)) context.Log.Unauthenticated.Write(LogLevel.Information, $"{context.Sas.HalfOpenCount} half-open IKE SAs, asking {remote} for a COOKIE");
                SendError(local, remote, request, new NotifyPayload(NotifyType.Cookie, expected));
                return;
            }
        }

        // strongSwan's order: only a request that passed the COOKIE check counts against the half-open limits.
        if (context.Options.InitLimitHalfOpen > 0 && context.Sas.HalfOpenCount >= context.Options.InitLimitHalfOpen)
        {
            context.Counters.DroppedByLimits++;
            if (context.Log.Unauthenticated.Admit(LogLevel.Information, "IKE_SA_INIT dropped: init_limit_half_open reached", remote.Address)) context.Log.Unauthenticated.Write(LogLevel.Information, $"{context.Sas.HalfOpenCount} half-open IKE SAs (init_limit_half_open), dropping IKE_SA_INIT from {remote}");
            return;
        }
        if (context.Options.BlockThreshold > 0 && context.Sas.HalfOpenFrom(remote.Address) >= context.Options.BlockThreshold)
        {
            context.Counters.DroppedByLimits++;
            if (context.Log.Unauthenticated.Admit(LogLevel.Information, "IKE_SA_INIT dropped: block_threshold reached", remote.Address)) context.Log.Unauthenticated.Write(LogLevel.Information, $"{context.Sas.HalfOpenFrom(remote.Address)} half-open IKE SAs from {remote.Address} (block_threshold), dropping its IKE_SA_INIT");
            return;
        }

        var candidates = context.Sas.ConnectionsFor(local.Address, remote.Address);
        if (candidates.Count == 0)
        {
            if (context.Log.Unauthenticated.Admit(LogLevel.Warning, "no IKE config found", remote.Address)) context.Log.Unauthenticated.Write(LogLevel.Warning, $"no IKE config found for {local.Address}...{remote.Address}, sending NO_PROPOSAL_CHOSEN");
            context.Events.Failed(null, SaFailure.Other, $"no IKE config found for {local.Address}...{remote.Address}", remote: remote);
            SendError(local, remote, request, new NotifyPayload(NotifyType.NoProposalChosen));
            return;
        }
        ConnectionConfig? config = null;
        Proposal? selected = null;
        foreach (var c in candidates)
        {
            selected = ProposalSelector.Select(c.Proposals, saPayload.Proposals);
            if (selected is not null) { config = c; break; }
        }
        if (config is null || selected is null)
        {
            if (context.Log.Unauthenticated.Admit(LogLevel.Warning, "no proposal chosen", remote.Address))
            {
                var accepted = string.Join("; ", candidates.Select(c => $"{c.Name}: {ProposalText.Describe(c.Proposals)}"));
                context.Log.Unauthenticated.Write(LogLevel.Warning, $"no proposal chosen for {remote}: peer offered {ProposalText.Describe(saPayload.Proposals)}, we accept {accepted}");
                context.Events.Failed(null, SaFailure.Proposal, $"no proposal chosen for {remote}: peer offered {ProposalText.Describe(saPayload.Proposals)}, we accept {accepted}", candidates[0].Name, remote);
            }
            else context.Events.Failed(null, SaFailure.Proposal, $"no proposal chosen for {remote}", candidates[0].Name, remote);
            SendError(local, remote, request, new NotifyPayload(NotifyType.NoProposalChosen));
            return;
        }

        var additional = AdditionalKeyExchanges.Of(selected);
        if (additional.Count > 0 && request.GetNotify(NotifyType.IntermediateExchangeSupported) is null)
        {
            // RFC 9370 §2.2.1: additional key exchanges need IKE_INTERMEDIATE, which this initiator did not announce.
            if (context.Log.Unauthenticated.Admit(LogLevel.Warning, "additional key exchanges without IKE_INTERMEDIATE support", remote.Address)) context.Log.Unauthenticated.Write(LogLevel.Warning, $"{remote} proposes additional key exchanges ({ProposalText.Describe(selected)}) without INTERMEDIATE_EXCHANGE_SUPPORTED, sending NO_PROPOSAL_CHOSEN");
            SendError(local, remote, request, new NotifyPayload(NotifyType.NoProposalChosen));
            return;
        }
        var group = ProposalText.First(selected, TransformType.KeyExchange);
        ushort groupId = group?.Id ?? 0;
        if (groupId != 0 && ke.Group != groupId)
        {
            // §1.2: tell the initiator which of its groups we selected; it retries with that one.
            if (context.Log.Unauthenticated.Admit(LogLevel.Information, "sending INVALID_KE_PAYLOAD", remote.Address)) context.Log.Unauthenticated.Write(LogLevel.Information, $"peer {remote} sent KE for {Name(ke.Group)}, we selected {Name(groupId)}: sending INVALID_KE_PAYLOAD");
            var data = new byte[2];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(data, groupId);
            SendError(local, remote, request, new NotifyPayload(NotifyType.InvalidKePayload, data));
            return;
        }
        if (!IkeCipherSuite.TryCreate(selected, out var suite, out string error) || suite!.KeyExchange is null)
        {
            if (context.Log.Unauthenticated.Admit(LogLevel.Warning, "unusable proposal", remote.Address)) context.Log.Unauthenticated.Write(LogLevel.Warning, $"cannot use proposal {ProposalText.Describe(selected)} from {remote}: {(error.Length > 0 ? error : "no key exchange")}");
            SendError(local, remote, request, new NotifyPayload(NotifyType.NoProposalChosen));
            return;
        }

        var sa = context.Sas.CreateSa(config, initiator: false, local, remote);
        sa.SpiI = request.InitiatorSpi;
        sa.MoveTo(IkeSaState.Connecting);
        sa.Proposal = selected;
        sa.Suite = suite;
        sa.KeGroup = groupId;
        sa.Ni = nonce.Data.ToArray();
        sa.Nr = context.RandomBytes(IkeEngine.NonceLength);
        sa.InitRequest = request.RawBytes!;
        context.Sas.Register(sa, request.InitiatorSpi);
        context.Log.Debug(sa, $"{remote} is initiating an IKE_SA, selected {ProposalText.Describe(selected)}");

        // The key exchange and SKEYSEED run on the crypto workers; the answer is built when they are done.
        var keying = new InitKeying(suite, ke.Data.ToArray(), sa, context.Random);
        keying.Completed = k => Answer(local, remote, request, sa, k, config, candidates, selected, groupId, additional);
        if (!context.Scheduler.RunCrypto(sa, keying, halfOpen: true))
            context.Sas.Destroy(sa, "crypto queue full");
    }

    /// <summary>The key exchange is done: keys, NAT detection, and the response.</summary>
    private void Answer(IPEndPoint local, IPEndPoint remote, IkeMessage request, IkeSa sa, InitKeying keying, ConnectionConfig config,
        List<ConnectionConfig> candidates, Proposal selected, ushort groupId, IReadOnlyList<Transform> additional)
    {
        if (keying.Error is { } e)
        {
            if (e is not CryptographicException) context.Log.Error(sa, $"key exchange failed: {e.GetType().Name}: {e.Message}");
            else context.Log.Warn(sa, $"invalid KE value from {remote}: {e.Message}");
            context.Sas.Destroy(sa, "invalid KE");
            SendError(local, remote, request, new NotifyPayload(NotifyType.InvalidSyntax));
            return;
        }
        var suite = sa.Suite!;
        sa.SetKeys(keying.Keys!);
        keying.Keys = null;
        sa.CreateCiphers(suite, context.Random);
        sa.PerformedKeyExchanges.Add(new Transform(TransformType.KeyExchange, groupId));
        sa.AdditionalKeyExchanges = additional;

        NatDetectionNotifies.Evaluate(request, local, remote, out bool here, out bool there); // no NAT-D notifies: no NAT
        sa.SetNat(here, there, config.Encap);

        var response = context.Sender.NewMessage(sa, ExchangeType.IkeSaInit, response: true, 0);
        response.Payloads.Add(new SecurityAssociationPayload([selected with { Spi = ReadOnlyMemory<byte>.Empty }]));
        response.Payloads.Add(new KeyExchangePayload(groupId, keying.PublicKey));
        response.Payloads.Add(new NoncePayload(sa.Nr));
        NatDetectionNotifies.Add(response, local, remote, config.Encap, context.Random);
        // RFC 7383 §2.3: announced back only when the initiator announced it.
        if (IkeEngine.AnnouncesFragmentation(config) && request.GetNotify(NotifyType.Ikev2FragmentationSupported) is not null)
        {
            response.Payloads.Add(new NotifyPayload(NotifyType.Ikev2FragmentationSupported));
            sa.FragmentationAgreed = true;
        }
        // RFC 9242 §3.1: announced back when the initiator did and we will use it for the chosen additional key exchanges.
        if (additional.Count > 0)
            response.Payloads.Add(new NotifyPayload(NotifyType.IntermediateExchangeSupported));
        // RFC 4739 §3: announced when a connection for these addresses asks the initiator for several authentication rounds.
        if (candidates.Exists(c => c.RemoteRounds.Count > 1))
            response.Payloads.Add(new NotifyPayload(NotifyType.MultipleAuthSupported));
        // RFC 7296 §3.7 / RFC 7427 §4: CERTREQ and our signature hashes when a candidate connection uses certificates.
        context.Credentials.Pubkey.ReadPeerAnnouncements(sa, request);
        var pubkeyConfig = candidates.Find(PubkeyAuthenticator.UsesPubkey);
        if (pubkeyConfig is not null)
        {
            context.Credentials.Pubkey.AddCertificateRequest(PubkeyAuthenticator.UsesPubkey(config) ? config : pubkeyConfig, response);
            context.Credentials.Pubkey.AddSignatureHashes(response);
        }
        var bytes = response.Encode();
        sa.InitResponse = bytes;
        sa.CacheResponse(0, bytes, null);
        context.Log.Debug(sa, $"IKE_SA_INIT response sent{context.Sender.NatText(sa)}");
        context.Sender.SendRaw(local, remote, bytes);
    }

    /// <summary>An unauthenticated error answer (§2.21.1): header with our SPI zero, one notify.</summary>
    private void SendError(IPEndPoint local, IPEndPoint remote, IkeMessage request, NotifyPayload notify)
    {
        var m = new IkeMessage
        {
            InitiatorSpi = request.InitiatorSpi,
            ResponderSpi = 0,
            ExchangeType = ExchangeType.IkeSaInit,
            Flags = IkeHeaderFlags.Response,
            MessageId = request.MessageId,
        };
        m.Payloads.Add(notify);
        context.Sender.SendRaw(local, remote, m.Encode());
    }

    /// <summary>§2.6: Cookie = &lt;VersionIDofSecret&gt; | Hash(Ni | IPi | SPIi | &lt;secret&gt;), here HMAC-SHA-256 keyed with the secret.</summary>
    private static string Name(ushort group) => AlgorithmCatalog.Describe(new Transform(TransformType.KeyExchange, group));
}

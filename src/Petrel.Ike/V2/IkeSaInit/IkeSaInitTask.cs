using System.Net;
using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Keying;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.IkeSaInit;

/// <summary>
/// IKE_SA_INIT as initiator (RFC 7296 §1.2): SA, KE, Ni, NAT detection. Handles the two ways a
/// responder may send us back: COOKIE (§2.6, replay it first in the retried request) and
/// INVALID_KE_PAYLOAD (§1.2, retry with the group it wants, if we offered it). Both retries keep
/// message ID 0, the SPI and the nonce.
/// </summary>
internal sealed class IkeSaInitTask(IIkeContext context, InitiateCompletion? completion) : IkeTask
{
    private const int MaxRetries = 5;
    private byte[]? _cookie;
    private int _retries;

    public override ExchangeType Exchange => ExchangeType.IkeSaInit;

    /// <summary>Our key pair, made on a crypto worker before the first request and after each INVALID_KE_PAYLOAD.</summary>
    public override TaskJob? Prepare(IkeSa sa)
    {
        if (sa.KeGroup == 0)
            sa.KeGroup = FirstGroup(sa.Config.Proposals);
        if (sa.KeyExchange is not null) return null;
        var method = KeyExchanges.Find(sa.KeGroup)
            ?? throw new InvalidOperationException($"key exchange method {sa.KeGroup} is not available");
        var random = context.Random;
        KeyExchangeState? made = null;
        return new TaskJob("IKE_SA_INIT key pair (initiator)", () =>
        {
            made = method.Create(random);
            _ = made.PublicKey;
        }, discard: () => made?.Dispose(), keep: () => sa.KeyExchange = made);
    }

    public override void BuildRequest(IkeSa sa, IkeMessage request)
    {
        if (sa.KeyExchange is null)
        {
            // A failed key pair job (its error) or no job at all: made here.
            var method = KeyExchanges.Find(sa.KeGroup)
                ?? throw new InvalidOperationException($"key exchange method {sa.KeGroup} is not available");
            sa.KeyExchange = method.Create(context.Random);
        }
        if (sa.Ni.Length == 0)
            sa.Ni = context.RandomBytes(IkeEngine.NonceLength);

        // §2.6: the cookie notify must be the first payload of the retried request.
        if (_cookie is not null)
            request.Payloads.Add(new NotifyPayload(NotifyType.Cookie, _cookie));
        var proposals = new List<Proposal>(sa.Config.Proposals.Count);
        for (int i = 0; i < sa.Config.Proposals.Count; i++)
            proposals.Add(sa.Config.Proposals[i] with { Number = (byte)(i + 1), Spi = ReadOnlyMemory<byte>.Empty });
        request.Payloads.Add(new SecurityAssociationPayload(proposals));
        request.Payloads.Add(new KeyExchangePayload(sa.KeGroup, sa.KeyExchange.PublicKey));
        request.Payloads.Add(new NoncePayload(sa.Ni));
        NatDetectionNotifies.Add(request, sa.Local, sa.Remote, sa.Config.Encap, context.Random);
        // RFC 7383 §2.3: we can take fragmented messages (and send them, with fragmentation = yes).
        if (IkeEngine.AnnouncesFragmentation(sa.Config))
            request.Payloads.Add(new NotifyPayload(NotifyType.Ikev2FragmentationSupported));
        if (PubkeyAuthenticator.UsesPubkey(sa.Config))
            context.Credentials.Pubkey.AddSignatureHashes(request);
        // RFC 9242 §3.1: we offer additional key exchanges, which need IKE_INTERMEDIATE (RFC 9370 §2.2.1).
        if (AdditionalKeyExchanges.AnyOffered(sa.Config.Proposals))
            request.Payloads.Add(new NotifyPayload(NotifyType.IntermediateExchangeSupported));
    }

    public override TaskOutcome ProcessResponse(IkeSa sa, IkeMessage response)
    {
        var cookie = response.GetNotify(NotifyType.Cookie);
        if (cookie is not null)
        {
            if (++_retries > MaxRetries || cookie.Data.Length is < 1 or > 64)
                return Fail(sa, "responder keeps asking for a COOKIE");
            _cookie = cookie.Data.ToArray();
            context.Log.Info(sa, $"received COOKIE from {sa.Remote}, retrying IKE_SA_INIT with it");
            return TaskOutcome.Retry;
        }

        var invalidKe = response.GetNotify(NotifyType.InvalidKePayload);
        if (invalidKe is not null)
        {
            if (!invalidKe.TryGetGroup(out ushort group) || ++_retries > MaxRetries)
                return Fail(sa, "INVALID_KE_PAYLOAD without a usable group");
            if (!Offers(sa.Config.Proposals, group) || KeyExchanges.Find(group) is null)
                return Fail(sa, $"peer wants key exchange {Name(group)}, which we did not propose ({ProposalText.Describe(sa.Config.Proposals)})");
            context.Log.Info(sa, $"peer didn't accept key exchange {Name(sa.KeGroup)}, it requested {Name(group)}; retrying");
            sa.KeyExchange?.Dispose();
            sa.KeyExchange = null;
            sa.KeGroup = group;
            return TaskOutcome.Retry;
        }

        foreach (var n in response.GetAll<NotifyPayload>())
        {
            if (n.IsError)
            {
                string detail = n.NotifyType == NotifyType.NoProposalChosen
                    ? $"; we proposed {ProposalText.Describe(sa.Config.Proposals)}"
                    : "";
                string failure = $"IKE_SA_INIT failed: peer answered {NotifyNames.Of(n.NotifyType)}{detail}";
                context.Events.Failed(sa, n.NotifyType == NotifyType.NoProposalChosen ? SaFailure.Proposal : SaFailure.Other, failure);
                return Fail(sa, failure);
            }
        }

        var saPayload = response.Get<SecurityAssociationPayload>();
        var ke = response.Get<KeyExchangePayload>();
        var nonce = response.Get<NoncePayload>();
        if (saPayload is null || ke is null || nonce is null || saPayload.Proposals.Count != 1 || !nonce.HasValidLength)
            return Fail(sa, "IKE_SA_INIT response lacks SA (one proposal), KE or a valid nonce");
        var chosen = saPayload.Proposals[0];
        if (ProposalSelector.Select(sa.Config.Proposals, [chosen]) is null)
            return Fail(sa, $"peer chose {ProposalText.Describe(chosen)}, which we did not propose");
        var chosenGroup = ProposalText.First(chosen, TransformType.KeyExchange);
        if (ke.Group != sa.KeGroup || (chosenGroup is { } g && g.Id != sa.KeGroup))
            return Fail(sa, $"peer's KE group {Name(ke.Group)} does not match ours ({Name(sa.KeGroup)})");
        if (!IkeCipherSuite.TryCreate(chosen, out var suite, out string error))
            return Fail(sa, $"cannot use the chosen proposal: {error}");
        var additional = AdditionalKeyExchanges.Of(chosen);
        if (additional.Count > 0 && response.GetNotify(NotifyType.IntermediateExchangeSupported) is null)
            return Fail(sa, $"peer chose additional key exchanges ({ProposalText.Describe(chosen)}) without announcing IKE_INTERMEDIATE support");

        // The shared secret, SKEYSEED and SK_* on a crypto worker, from copies; the key pair goes with the job, which
        // disposes of it. The SA takes the keys when the job has applied.
        var kex = sa.KeyExchange!;
        sa.KeyExchange = null;
        byte[] peerKe = ke.Data.ToArray(), ni = sa.Ni, nr = nonce.Data.ToArray();
        ulong spiI = sa.SpiI, spiR = response.ResponderSpi;
        IkeSaKeys? keys = null;
        var job = new TaskJob("IKE_SA_INIT key exchange (initiator)", () =>
        {
            using (kex)
            {
                byte[] shared = kex.ComputeSharedSecret(peerKe);
                try
                {
                    keys = suite!.DeriveKeys(shared, ni, nr, spiI, spiR);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(shared);
                }
            }
        }, discard: () => keys?.Dispose());
        return Offload(job, () =>
        {
            if (job.Error is { } e)
                return Fail(sa, e is CryptographicException ? $"invalid KE value from peer: {e.Message}" : $"key exchange failed: {e.GetType().Name}: {e.Message}");
            return Keyed(sa, response, chosen, suite!, keys!, nr, additional);
        });
    }

    /// <summary>The key exchange is done: the SA takes the keys, NAT state and the peer's announcements.</summary>
    private TaskOutcome Keyed(IkeSa sa, IkeMessage response, Proposal chosen, IkeCipherSuite suite, IkeSaKeys keys, byte[] nr, IReadOnlyList<Transform> additional)
    {
        sa.SpiR = response.ResponderSpi;
        sa.Nr = nr;
        sa.Proposal = chosen;
        sa.Suite = suite;
        sa.InitResponse = response.RawBytes!;
        sa.SetKeys(keys);
        sa.CreateCiphers(suite, context.Random);
        sa.PerformedKeyExchanges.Add(new Transform(TransformType.KeyExchange, sa.KeGroup));
        if (additional.Count > 0)
        {
            // RFC 9370 §2.2.2: one IKE_INTERMEDIATE exchange per additional key exchange, in order, before IKE_AUTH.
            sa.AdditionalKeyExchanges = additional;
            sa.QueueFirst(additional.Select(_ => (IkeTask)new IkeIntermediateTask(context, completion)));
        }

        NatDetectionNotifies.Evaluate(response, sa.Local, sa.Remote, out bool here, out bool there); // no NAT-D notifies: no NAT
        sa.SetNat(here, there, sa.Config.Encap);
        sa.FragmentationAgreed = IkeEngine.AnnouncesFragmentation(sa.Config) && response.GetNotify(NotifyType.Ikev2FragmentationSupported) is not null;
        sa.PeerMultipleAuth = response.GetNotify(NotifyType.MultipleAuthSupported) is not null;
        context.Credentials.Pubkey.ReadPeerAnnouncements(sa, response);
        context.Log.Debug(sa, $"IKE_SA_INIT done with {sa.Remote}: {ProposalText.Describe(chosen)}{context.Sender.NatText(sa)}");
        context.Sender.FloatToNatT(sa);
        return TaskOutcome.Done;
    }

    public override void Abort(IkeSa sa, string reason) => completion?.Fail(reason, sa.UniqueId);

    private TaskOutcome Fail(IkeSa sa, string reason)
    {
        context.Log.Warn(sa, reason);
        completion?.Fail(reason, sa.UniqueId);
        return TaskOutcome.DestroySa;
    }

    private static string Name(ushort group) => AlgorithmCatalog.Describe(new Transform(TransformType.KeyExchange, group));

    private static ushort FirstGroup(IReadOnlyList<Proposal> proposals)
    {
        foreach (var p in proposals)
            if (ProposalText.First(p, TransformType.KeyExchange) is { } t) return t.Id;
        return 0;
    }

    private static bool Offers(IReadOnlyList<Proposal> proposals, ushort group)
    {
        foreach (var p in proposals)
            foreach (var t in p.OfType(TransformType.KeyExchange))
                if (t.Id == group) return true;
        return false;
    }
}

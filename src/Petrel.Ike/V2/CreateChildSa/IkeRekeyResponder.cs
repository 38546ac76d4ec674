using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Keying;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.CreateChildSa;

/// <summary>
/// IKE SA rekey as responder (RFC 7296 §1.3.2, §2.18): selects one of the peer's IKE proposals, answers
/// SA (with our new SPI), Nr, KEr, and sets the new IKE SA up with keys from SK_d of the old one. Without
/// a collision the CHILD_SAs move over at once and the peer deletes the old SA; with our own IKE rekey on
/// the wire the move waits for its response (§2.8.1). A CHILD_SA exchange of ours in flight makes us
/// answer TEMPORARY_FAILURE (§2.25.2).
/// </summary>
internal sealed class IkeRekeyResponder(IIkeContext context)
{
    public void Handle(IkeSa sa, IkeMessage request, IkeMessage response)
    {
        if (sa.State is not (IkeSaState.Established or IkeSaState.Rekeying) || sa.Successor is not null || sa.PeerReplacement is not null
            || sa.Outstanding?.Task is ChildRekeyTask or CreateChildSaTask)
        {
            context.Log.Info(sa, $"peer rekeys IKE_SA {sa.Tag} while it is {StateNames.Of(sa.State)}{(sa.Outstanding is null ? "" : $" with our {sa.Outstanding.Task.GetType().Name} in flight")}: sending TEMPORARY_FAILURE");
            response.Payloads.Add(new NotifyPayload(NotifyType.TemporaryFailure));
            return;
        }
        var saPayload = request.Get<SecurityAssociationPayload>()!;
        var nonce = request.Get<NoncePayload>();
        var ke = request.Get<KeyExchangePayload>();
        if (nonce is null || !nonce.HasValidLength || ke is null)
        {
            response.Payloads.Add(new NotifyPayload(NotifyType.InvalidSyntax));
            return;
        }
        var selected = ProposalSelector.Select(sa.Config.Proposals, saPayload.Proposals, ke.Group);
        if (selected is null || selected.Spi.Length != 8)
        {
            context.Log.Warn(sa, $"no proposal chosen for the IKE_SA rekey: peer offered {ProposalText.Describe(saPayload.Proposals)}, we accept {ProposalText.Describe(sa.Config.Proposals)}");
            response.Payloads.Add(new NotifyPayload(NotifyType.NoProposalChosen));
            return;
        }
        if (ProposalSelector.NeedsDifferentKeyExchange(selected, ke.Group, out ushort wanted) || wanted == 0)
        {
            if (wanted == 0)
            {
                response.Payloads.Add(new NotifyPayload(NotifyType.NoProposalChosen));
                return;
            }
            context.Log.Info(sa, $"IKE_SA rekey KE for group {ke.Group}, we selected {AlgorithmCatalog.Describe(new Transform(TransformType.KeyExchange, wanted))}: sending INVALID_KE_PAYLOAD");
            var data = new byte[2];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(data, wanted);
            response.Payloads.Add(new NotifyPayload(NotifyType.InvalidKePayload, data));
            return;
        }
        if (!IkeCipherSuite.TryCreate(selected, out var suite, out string error) || suite!.KeyExchange is null)
        {
            context.Log.Warn(sa, $"cannot use proposal {ProposalText.Describe(selected)} for the IKE_SA rekey: {error}");
            response.Payloads.Add(new NotifyPayload(NotifyType.NoProposalChosen));
            return;
        }
        using var kex = suite.KeyExchange.Create(context.Random);
        byte[] shared;
        try
        {
            shared = kex.ComputeSharedSecret(ke.Data.Span);
        }
        catch (CryptographicException e)
        {
            context.Log.Warn(sa, $"invalid KE value in the IKE_SA rekey: {e.Message}");
            response.Payloads.Add(new NotifyPayload(NotifyType.InvalidSyntax));
            return;
        }

        var ni = nonce.Data.ToArray();
        var nr = context.RandomBytes(IkeEngine.NonceLength);
        var created = context.Sas.CreateSa(sa.Config, initiator: false, sa.Local, sa.Remote);
        created.SpiI = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(selected.Spi.Span);
        var spi = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(spi, created.SpiR);
        response.Payloads.Add(new SecurityAssociationPayload([selected with { Spi = spi }]));
        response.Payloads.Add(new NoncePayload(nr));
        response.Payloads.Add(new KeyExchangePayload(wanted, kex.PublicKey));

        var additional = AdditionalKeyExchanges.Of(selected);
        if (additional.Count > 0)
        {
            // RFC 9370 §2.2.4: the new SA is keyed after the IKE_FOLLOWUP_KE exchanges this link ties to the rekey.
            var link = context.RandomBytes(8);
            _pending = new PendingIkeRekey(sa, created, selected, suite, wanted, ni, nr, new FollowUpKeyExchanges(additional, shared, link));
            response.Payloads.Add(new NotifyPayload(NotifyType.AdditionalKeyExchange, link));
            context.Log.Info(sa, $"IKE_SA rekey: {additional.Count} additional key exchange(s) to follow in IKE_FOLLOWUP_KE");
            return;
        }
        Finish(sa, created, selected, suite, wanted, ni, nr, shared, []);
    }

    private sealed record PendingIkeRekey(IkeSa Old, IkeSa Created, Proposal Selected, IkeCipherSuite Suite, ushort Group, byte[] Ni, byte[] Nr, FollowUpKeyExchanges Exchanges);

    private PendingIkeRekey? _pending;

    /// <summary>IKE_FOLLOWUP_KE of a peer's IKE SA rekey (RFC 9370 §2.2.4); false when it is not ours to answer.</summary>
    public bool HandleFollowUp(IkeSa sa, IkeMessage request, IkeMessage response)
    {
        var pending = _pending;
        var link = request.GetNotify(NotifyType.AdditionalKeyExchange);
        if (pending is null || !ReferenceEquals(pending.Old, sa) || link is null || !CryptographicOperations.FixedTimeEquals(link.Data.Span, pending.Exchanges.Link))
            return false;
        var next = pending.Exchanges.Next;
        var ke = request.Get<KeyExchangePayload>();
        string? error = null;
        if (ke is null || ke.Group != next.Id || KeyExchanges.Find(next.Id) is not { } method)
        {
            error = $"IKE_FOLLOWUP_KE of the IKE_SA rekey lacks KE for {AlgorithmCatalog.Describe(next)}";
        }
        else
        {
            using var ours = method.Create(context.Random);
            try
            {
                pending.Exchanges.Add(ours.ComputeSharedSecret(ke.Data.Span));
                response.Payloads.Add(new KeyExchangePayload(next.Id, ours.PublicKey));
            }
            catch (CryptographicException e)
            {
                error = $"invalid {AlgorithmCatalog.Describe(next)} KE value in IKE_FOLLOWUP_KE: {e.Message}";
            }
        }
        if (error is not null)
        {
            context.Log.Warn(sa, error + ", sending NO_PROPOSAL_CHOSEN");
            response.Payloads.Clear();
            response.Payloads.Add(new NotifyPayload(NotifyType.NoProposalChosen));
            _pending = null;
            pending.Exchanges.Dispose();
            context.Sas.Destroy(pending.Created, "IKE_SA rekey failed in IKE_FOLLOWUP_KE");
            return true;
        }
        if (pending.Exchanges.Pending)
        {
            response.Payloads.Add(new NotifyPayload(NotifyType.AdditionalKeyExchange, pending.Exchanges.Link));
            return true;
        }
        _pending = null;
        var first = pending.Exchanges.First();
        var additional = pending.Exchanges.Additional();
        pending.Exchanges.Dispose();
        Finish(sa, pending.Created, pending.Selected, pending.Suite, pending.Group, pending.Ni, pending.Nr, first, additional);
        return true;
    }

    /// <summary>Keys the new SA (SKEYSEED over every secret in order, zeroed here) and lets it take over, or waits for our own rekey's answer.</summary>
    private void Finish(IkeSa sa, IkeSa created, Proposal selected, IkeCipherSuite suite, ushort wanted, byte[] ni, byte[] nr, byte[] shared, byte[] additional)
    {
        try
        {
            created.SetKeys(suite.DeriveRekeyedKeys(sa.Suite!.Prf, sa.Keys!.SkD, shared, ni, nr, created.SpiI, created.SpiR, additional));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(additional);
        }
        InheritFrom(context, created, sa, selected, suite, wanted, ni, nr);

        if (sa.RekeyTask is { } ours && ReferenceEquals(sa.Outstanding?.Task, ours))
        {
            // §2.8.1: our own rekey is on the wire; its response decides which new IKE SA stays.
            sa.PeerReplacement = created;
            sa.PeerNi = ni;
            sa.PeerNr = nr;
            context.Log.Info(sa, $"IKE_SA rekey collision: the peer rekeyed {sa.Tag} as {created.Tag} too");
            return;
        }
        sa.PeerReplacement = created;
        sa.PeerNi = ni;
        sa.PeerNr = nr;
        context.Sas.MoveToSuccessor(sa, created);
        sa.MoveTo(IkeSaState.Rekeyed);
        sa.RekeyAt = sa.ReauthAt = LifetimeSchedule.Never;
    }

    /// <summary>Completes a new IKE SA from a rekey (either role): algorithms, ciphers, identities, NAT state, endpoints.</summary>
    internal static void InheritFrom(IIkeContext context, IkeSa created, IkeSa old, Proposal chosen, IkeCipherSuite suite, ushort group, byte[] ni, byte[] nr)
    {
        created.Proposal = chosen with { Spi = ReadOnlyMemory<byte>.Empty };
        created.Suite = suite;
        created.KeGroup = group;
        created.PerformedKeyExchanges.Clear();
        created.PerformedKeyExchanges.Add(new Transform(TransformType.KeyExchange, group));
        created.PerformedKeyExchanges.AddRange(AdditionalKeyExchanges.Of(chosen));
        created.Ni = ni;
        created.Nr = nr;
        created.CreateCiphers(suite, context.Random);
        created.LocalId = old.LocalId;
        created.RemoteId = old.RemoteId;
        // What list-sas shows of the authentication (EAP identity, each round) belongs to the IKE SA and its successors.
        created.EapIdentity = old.EapIdentity;
        created.CompletedRounds.AddRange(old.CompletedRounds);
        created.SetNat(old.NatHere, old.NatThere, old.NatFake);
        created.FragmentationAgreed = old.FragmentationAgreed; // RFC 7383 §2.3: negotiated once, for the IKE SA and its rekeyed successors
        created.Local = old.Local;
        created.Remote = old.Remote;
        // §2.18: the new IKE SA starts its message IDs at 0 in both directions.
        created.RestartMessageIds();
        context.Sas.AdoptRekeyed(created);
        created.MoveTo(IkeSaState.Connecting); // CREATED → CONNECTING → ESTABLISHED, as every IKE SA
        context.Sas.Established(created);
        created.ReleaseHandshakeState();
    }
}

using Petrel.Ike.Keying;
using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.CreateChildSa;

/// <summary>
/// The initiator's nonce and optional PFS key exchange of a CREATE_CHILD_SA, the same for a new CHILD_SA
/// (RFC 7296 §1.3.1) and a CHILD_SA rekey (§1.3.3): Ni and KEi go after SA and before TSi (§3.10 order);
/// INVALID_KE_PAYLOAD names the group to retry with (§1.3, at most three times); the response must carry
/// Nr and, with PFS, KEr of the same group.
/// </summary>
internal sealed class ChildSaInitiatorKeys(IIkeContext context) : IDisposable
{
    private const int MaxGroupRetries = 3;
    private KeyExchangeState? _ke;
    private int _retries;
    private readonly OffloadedKeyExchange _work = new("CREATE_CHILD_SA");

    /// <summary>Before the CREATE_CHILD_SA request is built: a crypto job making the PFS key pair of <paramref name="group"/>, or null.</summary>
    public TaskJob? Prepare(ushort group) => InFollowUp ? null : _work.PrepareKeyPair(group, context.Random);

    /// <summary>
    /// With PFS, a crypto job computing the secret of the response's KE value; the task processes the response again once
    /// it applied (<see cref="ReadResponse"/> takes the secret then). Null when there is nothing to compute (no PFS, an
    /// error notify, a malformed response: <see cref="ReadResponse"/> reports it) or it is done.
    /// </summary>
    public TaskJob? OffloadSecret(IkeMessage response)
    {
        if (InFollowUp || Group == 0 || _ke is null || _work.HasSecret(response)) return null;
        foreach (var n in response.GetAll<NotifyPayload>())
            if (n.IsError) return null;
        if (response.Get<NoncePayload>() is not { HasValidLength: true } || response.Get<KeyExchangePayload>() is not { } ke || ke.Group != Group) return null;
        var pair = _ke;
        _ke = null;
        return _work.ComputeSecret(pair, ke.Data, response);
    }

    /// <summary>Our nonce of the request last built.</summary>
    public byte[] Ni { get; private set; } = [];

    /// <summary>The PFS group, 0 without PFS.</summary>
    public ushort Group { get; set; }

    public bool WithKeyExchange => Group != 0;

    /// <summary>RFC 9370 §2.2.4: set once the response selected additional key exchanges; IKE_FOLLOWUP_KE runs while it is pending.</summary>
    public FollowUpKeyExchanges? FollowUp { get; private set; }

    public bool InFollowUp => FollowUp is { Pending: true };

    private IkeMessage? _createResponse;
    private byte[] _nr = [];

    /// <summary>
    /// Reads a CREATE_CHILD_SA or IKE_FOLLOWUP_KE response. True when another IKE_FOLLOWUP_KE exchange must follow (the
    /// task sends again). Otherwise the error (or null), the CREATE_CHILD_SA response (its SA and TS payloads), the secret
    /// of its KE (empty without PFS), those of the IKE_FOLLOWUP_KE exchanges concatenated (empty without) and Nr; the
    /// caller zeroes the secrets.
    /// </summary>
    public bool Next(IkeMessage response, string what, out IkeMessage createResponse, out byte[] shared, out byte[] additional, out byte[] nr, out string? error)
    {
        additional = [];
        if (InFollowUp)
        {
            createResponse = _createResponse!;
            nr = _nr;
            error = ReadFollowUp(response, what);
            if (error is null && InFollowUp)
            {
                shared = [];
                return true;
            }
            shared = error is null ? FollowUp!.First() : [];
            if (error is null) additional = FollowUp!.Additional();
            return false;
        }
        createResponse = response;
        error = ReadResponse(response, what, out shared, out nr);
        if (error is null && BeginFollowUp(response, shared, what, out error))
        {
            _createResponse = response;
            _nr = nr;
            CryptographicOperations.ZeroMemory(shared);
            shared = [];
            return true;
        }
        return false;
    }

    /// <summary>Adds a fresh Ni (and KEi with PFS) in front of the request's TSi.</summary>
    public void AddTo(IkeMessage request)
    {
        Ni = context.RandomBytes(IkeEngine.NonceLength);
        int tsIndex = request.Payloads.FindIndex(p => p.Type == PayloadType.TrafficSelectorInitiator);
        if (tsIndex < 0) tsIndex = request.Payloads.Count;
        request.Payloads.Insert(tsIndex, new NoncePayload(Ni));
        if (Group == 0) return;
        var method = KeyExchanges.Find(Group) ?? throw new IkeSetupException($"key exchange {Group} is not available for PFS");
        _ke?.Dispose();
        _ke = _work.TakeKeyPair(Group) ?? method.Create(context.Random);
        request.Payloads.Insert(tsIndex + 1, new KeyExchangePayload(Group, _ke.PublicKey));
    }

    /// <summary>True when the peer answered INVALID_KE_PAYLOAD with a group we have: the request is to be built again with it.</summary>
    public bool RetryWithPeersGroup(IkeSa sa, IkeMessage response, string what)
    {
        var invalidKe = response.GetNotify(NotifyType.InvalidKePayload);
        if (invalidKe is null || !invalidKe.TryGetGroup(out ushort group) || ++_retries > MaxGroupRetries || KeyExchanges.Find(group) is null)
            return false;
        context.Log.Info(sa, $"peer wants {AlgorithmCatalog.Describe(new Transform(TransformType.KeyExchange, group))} for {what}, retrying");
        Group = group;
        return true;
    }

    /// <summary>
    /// Checks Nr and KEr and computes the PFS secret (empty without PFS, or when the peer refused with an error
    /// notify, which the CHILD_SA negotiation reports). Returns the error, or null. The caller zeroes the secret.
    /// </summary>
    public string? ReadResponse(IkeMessage response, string what, out byte[] shared, out byte[] nr)
    {
        shared = [];
        var nonce = response.Get<NoncePayload>();
        nr = nonce is null ? [] : nonce.Data.ToArray();
        foreach (var n in response.GetAll<NotifyPayload>())
            if (n.IsError) return null;
        if (nonce is null || !nonce.HasValidLength) return $"{what}: response lacks a valid nonce";
        if (Group == 0) return null;
        var ke = response.Get<KeyExchangePayload>();
        if (ke is null || ke.Group != Group) return $"{what}: response lacks KE for group {Group}";
        try
        {
            shared = _work.HasSecret(response) ? _work.TakeSecret() : _ke!.ComputeSharedSecret(ke.Data.Span);
            return null;
        }
        catch (CryptographicException e)
        {
            return $"{what}: invalid KE value: {e.Message}";
        }
    }

    /// <summary>
    /// After a CREATE_CHILD_SA response with the first secret: when the selected proposal has additional key exchanges,
    /// keeps the secret and the responder's link data and returns true (IKE_FOLLOWUP_KE exchanges follow). An error is
    /// returned in <paramref name="error"/> (missing link, a method we cannot run).
    /// </summary>
    public bool BeginFollowUp(IkeMessage response, byte[] shared, string what, out string? error)
    {
        error = null;
        var chosen = response.Get<SecurityAssociationPayload>() is { Proposals.Count: 1 } sap ? sap.Proposals[0] : null;
        if (chosen is null || Group == 0) return false;
        var additional = AdditionalKeyExchanges.Of(chosen);
        if (additional.Count == 0) return false;
        var link = response.GetNotify(NotifyType.AdditionalKeyExchange);
        if (link is null || link.Data.Length == 0)
        {
            error = $"{what}: response selects additional key exchanges but lacks the ADDITIONAL_KEY_EXCHANGE notify";
            return false;
        }
        foreach (var t in additional)
            if (KeyExchanges.Find(t.Id) is null)
            {
                error = $"{what}: additional key exchange {AlgorithmCatalog.Describe(t)} is not available";
                return false;
            }
        FollowUp = new FollowUpKeyExchanges(additional, shared.ToArray(), link.Data.ToArray());
        return true;
    }

    /// <summary>IKE_FOLLOWUP_KE request: KE of the next additional key exchange and the link notify (RFC 9370 §2.2.4).</summary>
    public void AddFollowUp(IkeMessage request)
    {
        var next = FollowUp!.Next;
        _ke?.Dispose();
        _ke = (KeyExchanges.Find(next.Id) ?? throw new IkeSetupException($"key exchange {next.Id} is not available")).Create(context.Random);
        request.Payloads.Add(new KeyExchangePayload(next.Id, _ke.PublicKey));
        request.Payloads.Add(new NotifyPayload(NotifyType.AdditionalKeyExchange, FollowUp.Link));
    }

    /// <summary>The IKE_FOLLOWUP_KE response: its KE gives the next secret; a new link comes along while more remain.</summary>
    public string? ReadFollowUp(IkeMessage response, string what)
    {
        var next = FollowUp!.Next;
        foreach (var n in response.GetAll<NotifyPayload>())
            if (n.IsError) return $"{what}: peer answered IKE_FOLLOWUP_KE for {AlgorithmCatalog.Describe(next)} with {NotifyNames.Of(n.NotifyType)}";
        var ke = response.Get<KeyExchangePayload>();
        if (ke is null || ke.Group != next.Id) return $"{what}: IKE_FOLLOWUP_KE response lacks KE for {AlgorithmCatalog.Describe(next)}";
        try
        {
            FollowUp.Add(_ke!.ComputeSharedSecret(ke.Data.Span));
        }
        catch (CryptographicException e)
        {
            return $"{what}: invalid {AlgorithmCatalog.Describe(next)} KE value: {e.Message}";
        }
        finally
        {
            _ke?.Dispose();
            _ke = null;
        }
        if (FollowUp.Pending)
        {
            if (response.GetNotify(NotifyType.AdditionalKeyExchange) is not { Data.Length: > 0 } link)
                return $"{what}: IKE_FOLLOWUP_KE response lacks the ADDITIONAL_KEY_EXCHANGE notify for the next exchange";
            FollowUp.Link = link.Data.ToArray();
        }
        return null;
    }

    public void Dispose()
    {
        _ke?.Dispose();
        _ke = null;
        _work.Dispose();
        FollowUp?.Dispose();
        FollowUp = null;
    }
}

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

    /// <summary>Our nonce of the request last built.</summary>
    public byte[] Ni { get; private set; } = [];

    /// <summary>The PFS group, 0 without PFS.</summary>
    public ushort Group { get; set; }

    public bool WithKeyExchange => Group != 0;

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
        _ke = method.Create(context.Random);
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
            shared = _ke!.ComputeSharedSecret(ke.Data.Span);
            return null;
        }
        catch (CryptographicException e)
        {
            return $"{what}: invalid KE value: {e.Message}";
        }
    }

    public void Dispose()
    {
        _ke?.Dispose();
        _ke = null;
    }
}

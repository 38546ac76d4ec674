using Petrel.Crypto.Proposals;
using Petrel.Ike.Keying;
using Petrel.Ike.Wire;

namespace Petrel.Ike.Sa;

/// <summary>
/// RFC 9370 additional key exchanges of the IKE SA's setup (one IKE_INTERMEDIATE exchange each, RFC 9242) and the
/// IntAuth chains those exchanges add to the AUTH octets (RFC 9242 §3.3.2).
/// </summary>
internal sealed partial class IkeSa
{
    /// <summary>The additional key exchanges IKE_SA_INIT negotiated (transform types 6–12 in order, NONE left out).</summary>
    public IReadOnlyList<Transform> AdditionalKeyExchanges { get; set; } = [];

    /// <summary>How many of <see cref="AdditionalKeyExchanges"/> have been performed and keyed the SA.</summary>
    public int AdditionalKeyExchangesDone { get; private set; }

    public bool AdditionalKeyExchangesPending => AdditionalKeyExchangesDone < AdditionalKeyExchanges.Count;

    /// <summary>Every key exchange whose shared secret keyed this SA, in order: the IKE_SA_INIT (or rekey) group first.</summary>
    public List<Transform> PerformedKeyExchanges { get; } = [];

    /// <summary>IntAuth_iN and IntAuth_rN so far (RFC 9242 §3.3.2); empty while no IKE_INTERMEDIATE exchange took place.</summary>
    public byte[] IntAuthI { get; private set; } = [];
    public byte[] IntAuthR { get; private set; } = [];

    /// <summary>The Message ID of the first IKE_AUTH request, the last part of IntAuth.</summary>
    public uint IkeAuthMessageId { get; set; }

    /// <summary>The responder's shared secret of the IKE_INTERMEDIATE exchange it is answering, until its response is sent.</summary>
    public byte[]? PendingIntermediateSecret { get; set; }

    /// <summary>
    /// The inbound SK cipher the keys of the last IKE_INTERMEDIATE exchange replaced: a responder decrypts a retransmission
    /// of that exchange's request with it (RFC 7296 §2.1), as the new keys only protect the messages after it.
    /// </summary>
    public SkCipher? PreviousCipherIn { get; private set; }

    /// <summary>IntAuth = IntAuth_iN | IntAuth_rN | IKE_AUTH_MID, or empty when no IKE_INTERMEDIATE exchange took place.</summary>
    public byte[] IntAuth => IntAuthI.Length == 0 ? [] : IntermediateAuthentication.Combine(IntAuthI, IntAuthR, IkeAuthMessageId);

    /// <summary>
    /// Folds one completed IKE_INTERMEDIATE exchange into the IntAuth chains with the SK_p keys that protected it, then
    /// keys the SA with that exchange's shared secret (RFC 9370 §2.2.2) and installs the new SK ciphers.
    /// </summary>
    public void CompleteIntermediate(IkeMessage request, IkeMessage response, ReadOnlySpan<byte> sharedSecret, Petrel.Crypto.Primitives.IRandom random)
    {
        if (!request.TryGetIntermediateAuthOctets(out var requestOctets) || !response.TryGetIntermediateAuthOctets(out var responseOctets))
            throw new InvalidOperationException("IKE_INTERMEDIATE message without its authenticated octets");
        var prf = Suite!.Prf;
        var keys = Keys!;
        IntAuthI = IntermediateAuthentication.Chain(prf, keys.SkPi, IntAuthI, requestOctets);
        IntAuthR = IntermediateAuthentication.Chain(prf, keys.SkPr, IntAuthR, responseOctets);
        Keys = Suite.DeriveAfterAdditionalKeyExchange(keys, sharedSecret, Ni, Nr, SpiI, SpiR);
        keys.Dispose();
        CipherOut?.Dispose();
        PreviousCipherIn?.Dispose();
        PreviousCipherIn = CipherIn;
        CipherOut = Suite.CreateCipher(Keys, IsInitiator, random);
        CipherIn = Suite.CreateCipher(Keys, !IsInitiator, random);
        PerformedKeyExchanges.Add(AdditionalKeyExchanges[AdditionalKeyExchangesDone]);
        AdditionalKeyExchangesDone++;
    }

    /// <summary>Our answer to a CREATE_CHILD_SA whose IKE_FOLLOWUP_KE exchanges (RFC 9370 §2.2.4) are still to come.</summary>
    public V2.CreateChildSa.PendingFollowUp? PendingFollowUp { get; set; }

    /// <summary>Puts tasks before everything queued (the IKE_INTERMEDIATE exchanges go before IKE_AUTH).</summary>
    public void QueueFirst(IEnumerable<IkeTask> tasks)
    {
        var rest = Tasks.ToArray();
        Tasks.Clear();
        foreach (var t in tasks) Tasks.Enqueue(t);
        foreach (var t in rest) Tasks.Enqueue(t);
    }
}

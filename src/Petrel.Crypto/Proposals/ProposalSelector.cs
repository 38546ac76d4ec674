using Petrel.Crypto.Algorithms;

namespace Petrel.Crypto.Proposals;

/// <summary>RFC 7296 §2.7 proposal selection.</summary>
public static class ProposalSelector
{
    private static readonly TransformType[] Types =
    [
        TransformType.Encryption, TransformType.Prf, TransformType.Integrity,
        TransformType.KeyExchange, TransformType.ExtendedSequenceNumbers,
        TransformType.AdditionalKeyExchange1, TransformType.AdditionalKeyExchange2, TransformType.AdditionalKeyExchange3,
        TransformType.AdditionalKeyExchange4, TransformType.AdditionalKeyExchange5, TransformType.AdditionalKeyExchange6,
        TransformType.AdditionalKeyExchange7,
    ];

    /// <summary>
    /// Picks the first of the peer's proposals (in their order) that one of ours accepts, reduced to one
    /// transform per type, keeping the peer's proposal number and SPI. Null when none matches.
    /// A received KE transform list is matched as a set (any of ours); ESN "no" is assumed when absent.
    /// </summary>
    public static Proposal? Select(IReadOnlyList<Proposal> ours, IReadOnlyList<Proposal> theirs) => Select(ours, theirs, null);

    /// <summary>
    /// As <see cref="Select(IReadOnlyList{Proposal}, IReadOnlyList{Proposal})"/>, but when both sides accept
    /// <paramref name="preferredKeyExchange"/> (the group of the KE payload that came with the SA), that group is
    /// chosen, so no INVALID_KE_PAYLOAD round trip is needed (RFC 7296 §1.2). Within each type the peer's order
    /// decides, as RFC 7296 §2.7 lets the initiator state its preference.
    /// </summary>
    public static Proposal? Select(IReadOnlyList<Proposal> ours, IReadOnlyList<Proposal> theirs, ushort? preferredKeyExchange)
    {
        ArgumentNullException.ThrowIfNull(ours);
        ArgumentNullException.ThrowIfNull(theirs);
        foreach (var peer in theirs)
        {
            foreach (var mine in ours)
            {
                if (TryMatch(mine, peer, preferredKeyExchange, out var selected))
                    return selected;
            }
        }
        return null;
    }

    /// <summary>
    /// For a responder that selected <paramref name="selected"/> but received a KE payload of group
    /// <paramref name="receivedKeyExchange"/>: true when they differ, with the group to name in
    /// INVALID_KE_PAYLOAD (RFC 7296 §1.2, §3.10.1). False when the KE payload can be used as is, or when the
    /// selected proposal has no key exchange (a CHILD_SA without PFS).
    /// </summary>
    public static bool NeedsDifferentKeyExchange(Proposal selected, ushort receivedKeyExchange, out ushort wanted)
    {
        ArgumentNullException.ThrowIfNull(selected);
        wanted = 0;
        foreach (var t in selected.OfType(TransformType.KeyExchange))
        {
            if (t.Id == 0)
                return false;
            wanted = t.Id;
            return t.Id != receivedKeyExchange;
        }
        return false;
    }

    /// <summary>
    /// For an initiator that got INVALID_KE_PAYLOAD naming <paramref name="requested"/>: whether any of our
    /// proposals offers that group, i.e. whether retrying with it is allowed (RFC 7296 §1.2: otherwise the
    /// exchange fails rather than negotiating a group we did not offer).
    /// </summary>
    public static bool Offers(IReadOnlyList<Proposal> ours, ushort requested)
    {
        ArgumentNullException.ThrowIfNull(ours);
        foreach (var p in ours)
            foreach (var t in p.OfType(TransformType.KeyExchange))
                if (t.Id == requested)
                    return true;
        return false;
    }

    /// <summary>The first (preferred) key exchange of our first proposal that has one: the KE payload to send first.</summary>
    public static ushort? FirstKeyExchange(IReadOnlyList<Proposal> ours)
    {
        ArgumentNullException.ThrowIfNull(ours);
        foreach (var p in ours)
            foreach (var t in p.OfType(TransformType.KeyExchange))
                if (t.Id != 0)
                    return t.Id;
        return null;
    }

    /// <summary>
    /// The proposals without their key exchange transforms: for the CHILD_SA created in IKE_AUTH, whose keys
    /// come from the IKE SA, so a configured PFS group does not apply (RFC 7296 §1.2).
    /// </summary>
    public static IReadOnlyList<Proposal> WithoutKeyExchange(IReadOnlyList<Proposal> proposals)
    {
        ArgumentNullException.ThrowIfNull(proposals);
        var result = new List<Proposal>(proposals.Count);
        foreach (var p in proposals)
        {
            var transforms = new List<Transform>(p.Transforms.Count);
            foreach (var t in p.Transforms)
                if (t.Type != TransformType.KeyExchange)
                    transforms.Add(t);
            result.Add(p with { Transforms = transforms });
        }
        return result;
    }

    private static bool TryMatch(Proposal mine, Proposal peer, ushort? preferredKe, out Proposal? selected)
    {
        selected = null;
        if (mine.Protocol != peer.Protocol)
            return false;
        var chosen = new List<Transform>(Types.Length);
        foreach (var type in Types)
        {
            bool mineHas = HasAny(mine, type);
            bool peerHas = HasAny(peer, type);
            if (!mineHas && !peerHas)
            {
                // RFC 7296 §3.3.2: ESP/AH proposals carry an ESN transform; absence means "no ESN".
                if (type == TransformType.ExtendedSequenceNumbers && peer.Protocol != SecurityProtocol.Ike)
                    chosen.Add(new Transform(type, 0));
                continue;
            }
            if (!TryPick(mine, peer, type, type == TransformType.KeyExchange ? preferredKe : null, out var pick))
                return false;
            // "NONE" (id 0) for integrity or a key exchange is recorded as absent; ESN "no" (id 0) is a real choice.
            if (pick.Id != 0 || type == TransformType.ExtendedSequenceNumbers)
                chosen.Add(pick);
        }
        selected = new Proposal(peer.Protocol, chosen) { Number = peer.Number, Spi = peer.Spi };
        return true;
    }

    private static bool TryPick(Proposal mine, Proposal peer, TransformType type, ushort? preferred, out Transform pick)
    {
        if (preferred is { } want)
        {
            var w = new Transform(type, want);
            if (Accepts(peer, w) && Accepts(mine, w))
            {
                pick = w;
                return true;
            }
        }
        // The peer's effective transforms of the type in its order (index loops: no iterator or enumerator per call,
        // this runs for every IKE_SA_INIT and CHILD_SA).
        var offered = peer.Transforms;
        bool any = false;
        for (int i = 0; i < offered.Count; i++)
        {
            var t = offered[i];
            if (t.Type != type) continue;
            any = true;
            if (Accepts(mine, t))
            {
                pick = t;
                return true;
            }
        }
        var none = new Transform(type, 0);
        if (!any && Accepts(mine, none))
        {
            pick = none;
            return true;
        }
        pick = default;
        return false;
    }

    /// <summary>Types where id 0 means "none" (RFC 7296 §3.3.2 integrity/KE, RFC 9370 §2.2.2 additional KE).</summary>
    private static bool IsNoneable(TransformType type) =>
        type is TransformType.Integrity or TransformType.KeyExchange || AlgorithmCatalog.IsAdditionalKeyExchange(type);

    private static bool HasAny(Proposal p, TransformType type)
    {
        var ts = p.Transforms;
        for (int i = 0; i < ts.Count; i++)
            if (ts[i].Type == type && !(ts[i].Id == 0 && IsNoneable(type)))
                return true;
        // ESN "no" is explicit for the ESN type.
        if (type == TransformType.ExtendedSequenceNumbers)
            for (int i = 0; i < ts.Count; i++)
                if (ts[i].Type == type)
                    return true;
        return false;
    }

    /// <summary>
    /// Whether <paramref name="t"/> is among the proposal's effective transforms of its type: those listed, or with none
    /// listed, "NONE"/"no ESN" (id 0).
    /// </summary>
    private static bool Accepts(Proposal p, Transform t)
    {
        var ts = p.Transforms;
        bool any = false;
        for (int i = 0; i < ts.Count; i++)
        {
            if (ts[i].Type != t.Type) continue;
            any = true;
            if (ts[i] == t) return true;
        }
        return !any && t == new Transform(t.Type, 0);
    }
}

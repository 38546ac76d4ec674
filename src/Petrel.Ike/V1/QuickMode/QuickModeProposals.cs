using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.Ike.Config;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.QuickMode;

/// <summary>
/// ESP and AH proposals in IKEv1 form (RFC 2407 §4.4.3, §4.4.4, §4.5): one proposal per configured proposal, one
/// transform per cipher × integrity algorithm (AH: per integrity algorithm, its AH transform ID), each carrying the
/// lifetimes, the PFS group, the encapsulation mode, the authentication algorithm and the key length, as strongSwan
/// builds them.
/// </summary>
internal static class QuickModeProposals
{
    /// <summary>The IKEv1 protocol a child negotiates: AH when it has ah_proposals and no esp_proposals.</summary>
    public static byte ProtocolOf(ChildConfig config) => config.EspProposals.Count == 0 && config.AhProposals.Count > 0 ? V1Protocol.Ah : V1Protocol.Esp;

    /// <summary>RFC 2407 §4.4.3 AH transform IDs from the Authentication Algorithm attribute values (§4.5): MD5 2, SHA 3, DES 4, then equal.</summary>
    private static byte AhTransformId(int authAlgorithm) => authAlgorithm switch { 1 => 2, 2 => 3, 3 => 4, _ => (byte)authAlgorithm };

    private static int AuthAlgorithmOfAh(int transformId) => transformId switch { 2 => 1, 3 => 2, 4 => 3, _ => transformId };

    public static List<V1Proposal> Build(IReadOnlyList<Proposal> configured, uint spi, ushort pfsGroup, ulong lifeSeconds, ulong lifeKilobytes, ushort encap,
        byte protocol = V1Protocol.Esp)
    {
        var spiBytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(spiBytes, spi);
        var list = new List<V1Proposal>();
        foreach (var p in configured)
        {
            var transforms = new List<V1Transform>();
            var integs = p.OfType(TransformType.Integrity).Where(t => t.Id != 0).Select(Find).Where(e => e is { IkeV1Phase2Id: > 0, UsableForEsp: true }).ToList();
            if (protocol == V1Protocol.Ah)
            {
                foreach (var integ in integs)
                {
                    var attributes = Attributes(lifeSeconds, lifeKilobytes, pfsGroup, encap);
                    attributes.Add(SaAttribute.Of(Phase2Attribute.AuthenticationAlgorithm, integ!.IkeV1Phase2Id));
                    transforms.Add(new V1Transform((byte)(transforms.Count + 1), AhTransformId(integ.IkeV1Phase2Id), attributes));
                }
                if (transforms.Count > 0) list.Add(new V1Proposal((byte)(list.Count + 1), V1Protocol.Ah, spiBytes, transforms));
                continue;
            }
            foreach (var et in p.OfType(TransformType.Encryption))
            {
                if (Find(et) is not { IkeV1Phase2Id: > 0 } encr || encr.Encryption is null) continue;
                var forCipher = encr.Encryption.IsAead ? [null] : integs.Count > 0 ? integs : [null];
                foreach (var integ in forCipher)
                {
                    if (!encr.Encryption.IsAead && integ is null && encr.IkeV1Phase2Id != 11) continue;
                    var attributes = Attributes(lifeSeconds, lifeKilobytes, pfsGroup, encap);
                    if (integ is not null) attributes.Add(SaAttribute.Of(Phase2Attribute.AuthenticationAlgorithm, integ.IkeV1Phase2Id));
                    if (encr.KeyLengthBits > 0) attributes.Add(SaAttribute.Of(Phase2Attribute.KeyLength, encr.KeyLengthBits));
                    transforms.Add(new V1Transform((byte)(transforms.Count + 1), (byte)encr.IkeV1Phase2Id, attributes));
                }
            }
            if (transforms.Count > 0) list.Add(new V1Proposal((byte)(list.Count + 1), V1Protocol.Esp, spiBytes, transforms));
        }
        return list;
    }

    private static List<SaAttribute> Attributes(ulong lifeSeconds, ulong lifeKilobytes, ushort pfsGroup, ushort encap)
    {
        var attributes = new List<SaAttribute>();
        if (lifeSeconds > 0)
        {
            attributes.Add(SaAttribute.Of(Phase2Attribute.LifeType, LifeType.Seconds));
            attributes.Add(SaAttribute.Number(Phase2Attribute.LifeDuration, lifeSeconds));
        }
        if (lifeKilobytes > 0)
        {
            attributes.Add(SaAttribute.Of(Phase2Attribute.LifeType, LifeType.Kilobytes));
            attributes.Add(SaAttribute.Number(Phase2Attribute.LifeDuration, lifeKilobytes));
        }
        if (pfsGroup != 0) attributes.Add(SaAttribute.Of(Phase2Attribute.GroupDescription, pfsGroup));
        attributes.Add(SaAttribute.Of(Phase2Attribute.EncapsulationMode, encap));
        return attributes;
    }

    private static AlgorithmEntry? Find(Transform t) => AlgorithmCatalog.TryFind(t, out var e) ? e : null;

    /// <summary>A received ESP (or AH) transform as Petrel transforms (cipher, integrity, PFS group); null when Petrel cannot run it.</summary>
    public static Proposal? ToProposal(V1Transform t, out ushort group, out ushort encap, out string error, byte protocol = V1Protocol.Esp)
    {
        error = "";
        group = (ushort)(t.Value(Phase2Attribute.GroupDescription) ?? 0);
        encap = (ushort)(t.Value(Phase2Attribute.EncapsulationMode) ?? EncapsulationMode.Tunnel);
        if (protocol == V1Protocol.Ah) return ToAhProposal(t, group, out error);
        ushort keyBits = (ushort)(t.Value(Phase2Attribute.KeyLength) ?? 0);
        ushort auth = (ushort)(t.Value(Phase2Attribute.AuthenticationAlgorithm) ?? 0);
        var encr = AlgorithmCatalog.All.FirstOrDefault(e => e.Type == TransformType.Encryption && e.IkeV1Phase2Id == t.Id && e.Encryption is not null
            && (e.KeyLengthBits == keyBits || (keyBits == 0 && e.KeyLengthBits is 0 or 128 && t.Id is 2 or 3 or 6 or 7)));
        if (encr is null) { error = $"ESP transform {t.Id}{(keyBits > 0 ? $"/{keyBits}" : "")}"; return null; }
        var transforms = new List<Transform> { encr.Transform };
        if (auth != 0)
        {
            var integ = AlgorithmCatalog.All.FirstOrDefault(e => e.Type == TransformType.Integrity && e.IkeV1Phase2Id == auth && e.UsableForEsp && e.Integrity is not null);
            if (integ is null) { error = $"authentication algorithm {auth}"; return null; }
            transforms.Add(integ.Transform);
        }
        else if (!encr.Encryption!.IsAead && t.Id != 11)
        {
            error = $"{encr.Name} without an authentication algorithm";
            return null;
        }
        if (group != 0)
        {
            ushort g = group;
            var ke = AlgorithmCatalog.All.FirstOrDefault(e => e.Type == TransformType.KeyExchange && e.IkeV1Phase2Id == g && e.KeyExchange is not null);
            if (ke is null) { error = $"PFS group {group}"; return null; }
            transforms.Add(ke.Transform);
        }
        return new Proposal(SecurityProtocol.Esp, transforms);
    }

    /// <summary>An AH transform: the integrity algorithm from its Authentication Algorithm attribute, else from its transform ID.</summary>
    private static Proposal? ToAhProposal(V1Transform t, ushort group, out string error)
    {
        error = "";
        int auth = (int)(t.Value(Phase2Attribute.AuthenticationAlgorithm) ?? (ulong)AuthAlgorithmOfAh(t.Id));
        var integ = AlgorithmCatalog.All.FirstOrDefault(e => e.Type == TransformType.Integrity && e.IkeV1Phase2Id == auth && e.UsableForEsp && e.Integrity is not null);
        if (integ is null) { error = $"AH transform {t.Id} (authentication algorithm {auth})"; return null; }
        var transforms = new List<Transform> { integ.Transform };
        if (group != 0)
        {
            var ke = AlgorithmCatalog.All.FirstOrDefault(e => e.Type == TransformType.KeyExchange && e.IkeV1Phase2Id == group && e.KeyExchange is not null);
            if (ke is null) { error = $"PFS group {group}"; return null; }
            transforms.Add(ke.Transform);
        }
        return new Proposal(SecurityProtocol.Ah, transforms);
    }

    /// <summary>True when one configured proposal holds the cipher, the integrity algorithm and the group (or no group when it names none).</summary>
    public static bool Acceptable(Proposal received, IReadOnlyList<Proposal> configured)
    {
        foreach (var p in configured)
        {
            bool ok = true;
            foreach (var type in new[] { TransformType.Encryption, TransformType.Integrity, TransformType.KeyExchange })
            {
                var theirs = received.First(type);
                var ours = p.OfType(type).Where(t => !(type != TransformType.Encryption && t.Id == 0)).ToList();
                if (theirs is null) ok &= ours.Count == 0 || type == TransformType.Integrity && received.First(TransformType.Encryption) is { } e
                    && AlgorithmCatalog.TryFind(e, out var entry) && entry.Encryption!.IsAead;
                else ok &= ours.Contains(theirs.Value);
            }
            if (ok) return true;
        }
        return false;
    }

    public static void Lifetimes(V1Transform t, out ulong seconds, out ulong kilobytes)
    {
        seconds = kilobytes = 0;
        ulong type = 0;
        foreach (var a in t.Attributes)
        {
            if (a.Type == Phase2Attribute.LifeType) type = a.Value;
            else if (a.Type == Phase2Attribute.LifeDuration)
            {
                if (type == LifeType.Seconds) seconds = a.Value;
                else if (type == LifeType.Kilobytes) kilobytes = a.Value;
            }
        }
    }
}

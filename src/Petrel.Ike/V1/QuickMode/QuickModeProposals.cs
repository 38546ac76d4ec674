using Petrel.Crypto.Algorithms;
using Petrel.Crypto.Proposals;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.QuickMode;

/// <summary>
/// ESP proposals in IKEv1 form (RFC 2407 §4.4.4, §4.5): one proposal per configured proposal, one transform per
/// cipher × integrity algorithm, each carrying the lifetimes, the PFS group, the encapsulation mode, the
/// authentication algorithm and the key length, as strongSwan builds them.
/// </summary>
internal static class QuickModeProposals
{
    public static List<V1Proposal> Build(IReadOnlyList<Proposal> configured, uint spi, ushort pfsGroup, ulong lifeSeconds, ulong lifeKilobytes, ushort encap)
    {
        var spiBytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(spiBytes, spi);
        var list = new List<V1Proposal>();
        foreach (var p in configured)
        {
            var transforms = new List<V1Transform>();
            var integs = p.OfType(TransformType.Integrity).Where(t => t.Id != 0).Select(Find).Where(e => e is { IkeV1Phase2Id: > 0, UsableForEsp: true }).ToList();
            foreach (var et in p.OfType(TransformType.Encryption))
            {
                if (Find(et) is not { IkeV1Phase2Id: > 0 } encr || encr.Encryption is null) continue;
                var forCipher = encr.Encryption.IsAead ? [null] : integs.Count > 0 ? integs : [null];
                foreach (var integ in forCipher)
                {
                    if (!encr.Encryption.IsAead && integ is null && encr.IkeV1Phase2Id != 11) continue;
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
                    if (integ is not null) attributes.Add(SaAttribute.Of(Phase2Attribute.AuthenticationAlgorithm, integ.IkeV1Phase2Id));
                    if (encr.KeyLengthBits > 0) attributes.Add(SaAttribute.Of(Phase2Attribute.KeyLength, encr.KeyLengthBits));
                    transforms.Add(new V1Transform((byte)(transforms.Count + 1), (byte)encr.IkeV1Phase2Id, attributes));
                }
            }
            if (transforms.Count > 0) list.Add(new V1Proposal((byte)(list.Count + 1), V1Protocol.Esp, spiBytes, transforms));
        }
        return list;
    }

    private static AlgorithmEntry? Find(Transform t) => AlgorithmCatalog.TryFind(t, out var e) ? e : null;

    /// <summary>A received ESP transform as Petrel transforms (cipher, integrity, PFS group); null when Petrel cannot run it.</summary>
    public static Proposal? ToProposal(V1Transform t, out ushort group, out ushort encap, out string error)
    {
        error = "";
        group = (ushort)(t.Value(Phase2Attribute.GroupDescription) ?? 0);
        encap = (ushort)(t.Value(Phase2Attribute.EncapsulationMode) ?? EncapsulationMode.Tunnel);
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

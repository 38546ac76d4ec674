using System.Security.Cryptography;
using Petrel.Crypto.Algorithms;
using Petrel.Crypto.KeyExchange;
using Petrel.Crypto.Primitives;
using Petrel.Crypto.Proposals;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.Keying;

/// <summary>
/// A Phase 1 transform (RFC 2409 App. A attributes) resolved through the algorithm catalogue's IKEv1 values: the CBC
/// cipher and its key length, the hash (HMAC as PRF, plain hash for IVs and NAT-D), the group, the authentication
/// method and the lifetime. <see cref="Proposal"/> is the IKEv2-style view that list-sas and the logs show.
/// </summary>
public sealed class Phase1Suite
{
    public required AlgorithmEntry EncryptionEntry { get; init; }
    public required AlgorithmEntry IntegrityEntry { get; init; }
    public required AlgorithmEntry PrfEntry { get; init; }
    public required AlgorithmEntry GroupEntry { get; init; }
    public required V1AuthMethod AuthMethod { get; init; }
    public TimeSpan Lifetime { get; init; }

    public EncryptionAlgorithm Encryption => EncryptionEntry.Encryption!;
    public PrfAlgorithm Prf => PrfEntry.Prf!;
    public KeyExchangeMethod Group => GroupEntry.KeyExchange!;
    public HashKind Hash => ((HmacPrf)Prf).Hash;
    public HashAlgorithmName HashName => Hash switch
    {
        HashKind.Md5 => HashAlgorithmName.MD5,
        HashKind.Sha1 => HashAlgorithmName.SHA1,
        HashKind.Sha256 => HashAlgorithmName.SHA256,
        HashKind.Sha384 => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    public Proposal Proposal => new(SecurityProtocol.Ike, [EncryptionEntry.Transform, IntegrityEntry.Transform, PrfEntry.Transform, GroupEntry.Transform]);

    public override string ToString() => Proposal.ToString();

    /// <summary>Reads a received Phase 1 transform; null with the reason when Petrel cannot run it.</summary>
    public static Phase1Suite? FromTransform(V1Transform t, out string error)
    {
        error = "";
        ushort enc = (ushort)(t.Value(Phase1Attribute.EncryptionAlgorithm) ?? 0);
        ushort keyBits = (ushort)(t.Value(Phase1Attribute.KeyLength) ?? 0);
        ushort hash = (ushort)(t.Value(Phase1Attribute.HashAlgorithm) ?? 0);
        ushort group = (ushort)(t.Value(Phase1Attribute.GroupDescription) ?? 0);
        ushort auth = (ushort)(t.Value(Phase1Attribute.AuthenticationMethod) ?? 0);
        if (t.Attribute(Phase1Attribute.Prf) is not null) { error = "PRF attribute"; return null; }
        if (t.Attribute(Phase1Attribute.GroupType) is not null) { error = "private group"; return null; }
        var encryption = AlgorithmCatalog.All.FirstOrDefault(e => e.Type == TransformType.Encryption && e.IkeV1Id == enc && e.UsableForIke
            && e.Encryption is { IsAead: false, BlockSize: > 1 } && (e.KeyLengthBits == keyBits || (keyBits == 0 && DefaultKeyBits(e))));
        if (encryption is null) { error = $"encryption algorithm {enc}{(keyBits > 0 ? $" with {keyBits}-bit key" : "")}"; return null; }
        var integrity = AlgorithmCatalog.All.FirstOrDefault(e => e.Type == TransformType.Integrity && e.IkeV1Id == hash && e.Integrity is not null);
        var prf = AlgorithmCatalog.All.FirstOrDefault(e => e.Type == TransformType.Prf && e.IkeV1Id == hash && e.Prf is HmacPrf);
        if (integrity is null || prf is null) { error = $"hash algorithm {hash}"; return null; }
        var ke = AlgorithmCatalog.All.FirstOrDefault(e => e.Type == TransformType.KeyExchange && e.IkeV1Id == group && e.KeyExchange is not null);
        if (ke is null) { error = $"group {group}"; return null; }
        if (!Enum.IsDefined((V1AuthMethod)auth)) { error = $"authentication method {auth}"; return null; }
        TimeSpan life = TimeSpan.Zero;
        ulong lifeType = 0;
        foreach (var a in t.Attributes)
        {
            if (a.Type == Phase1Attribute.LifeType) lifeType = a.Value;
            else if (a.Type == Phase1Attribute.LifeDuration && lifeType == LifeType.Seconds) life = TimeSpan.FromSeconds(Math.Min(a.Value, (ulong)int.MaxValue));
        }
        return new Phase1Suite
        {
            EncryptionEntry = encryption, IntegrityEntry = integrity, PrfEntry = prf, GroupEntry = ke,
            AuthMethod = (V1AuthMethod)auth, Lifetime = life,
        };
    }

    // RFC 2409 App. A: ciphers with a fixed key length carry no Key Length attribute; Blowfish/CAST default to 128.
    private static bool DefaultKeyBits(AlgorithmEntry e) => e.KeyLengthBits is 0 or 128 && e.IkeV1Id is 1 or 3 or 5 or 6;

    /// <summary>
    /// The Phase 1 transforms a configured IKE proposal list stands for, as strongSwan builds them: every
    /// cipher × hash × group of each proposal (the hash from the integrity algorithm, else from the PRF).
    /// Algorithms IKEv1 has no value for are skipped; the caller refuses a configuration left with none.
    /// </summary>
    public static List<Phase1Suite> FromConfigured(IEnumerable<Proposal> proposals, V1AuthMethod auth, TimeSpan lifetime)
    {
        var list = new List<Phase1Suite>();
        foreach (var p in proposals)
        {
            var hashes = p.OfType(TransformType.Integrity).Select(t => Find(t)).Where(e => e is { IkeV1Id: > 0 }).Select(e => e!.IkeV1Id).ToList();
            if (hashes.Count == 0) hashes = p.OfType(TransformType.Prf).Select(t => Find(t)).Where(e => e is { IkeV1Id: > 0 }).Select(e => e!.IkeV1Id).ToList();
            foreach (var et in p.OfType(TransformType.Encryption))
            {
                if (Find(et) is not { IkeV1Id: > 0, Encryption: { IsAead: false } } encr) continue;
                foreach (var h in hashes.Distinct())
                {
                    var integ = AlgorithmCatalog.All.First(e => e.Type == TransformType.Integrity && e.IkeV1Id == h);
                    var prf = AlgorithmCatalog.All.FirstOrDefault(e => e.Type == TransformType.Prf && e.IkeV1Id == h);
                    if (prf is null) continue;
                    foreach (var gt in p.OfType(TransformType.KeyExchange))
                    {
                        if (Find(gt) is not { IkeV1Id: > 0, KeyExchange: not null } group) continue;
                        list.Add(new Phase1Suite
                        {
                            EncryptionEntry = encr, IntegrityEntry = integ, PrfEntry = prf, GroupEntry = group, AuthMethod = auth, Lifetime = lifetime,
                        });
                    }
                }
            }
        }
        return list;
    }

    private static AlgorithmEntry? Find(Transform t) => AlgorithmCatalog.TryFind(t, out var e) ? e : null;

    /// <summary>The transform payload for this suite (RFC 2409 App. A attributes, transform id KEY_IKE).</summary>
    public V1Transform ToTransform(byte number)
    {
        var attributes = new List<SaAttribute> { SaAttribute.Of(Phase1Attribute.EncryptionAlgorithm, EncryptionEntry.IkeV1Id) };
        if (EncryptionEntry.KeyLengthBits > 0) attributes.Add(SaAttribute.Of(Phase1Attribute.KeyLength, EncryptionEntry.KeyLengthBits));
        attributes.Add(SaAttribute.Of(Phase1Attribute.HashAlgorithm, IntegrityEntry.IkeV1Id));
        attributes.Add(SaAttribute.Of(Phase1Attribute.GroupDescription, GroupEntry.IkeV1Id));
        attributes.Add(SaAttribute.Of(Phase1Attribute.AuthenticationMethod, (ushort)AuthMethod));
        if (Lifetime > TimeSpan.Zero)
        {
            attributes.Add(SaAttribute.Of(Phase1Attribute.LifeType, LifeType.Seconds));
            attributes.Add(SaAttribute.Number(Phase1Attribute.LifeDuration, (ulong)Lifetime.TotalSeconds));
        }
        return new V1Transform(number, KeyIke, attributes);
    }

    /// <summary>Same algorithms (lifetimes are not negotiated: the responder may answer its own, RFC 2409 §4.5).</summary>
    public bool SameAlgorithms(Phase1Suite other) =>
        EncryptionEntry == other.EncryptionEntry && IntegrityEntry == other.IntegrityEntry && GroupEntry == other.GroupEntry && AuthMethod == other.AuthMethod;

    /// <summary>RFC 2407 §4.4.1 transform id KEY_IKE.</summary>
    public const byte KeyIke = 1;
}

using Petrel.Crypto.Algorithms;

namespace Petrel.Crypto.Proposals;

/// <summary>
/// strongSwan's proposal language: "aes128gcm16-prfsha256-ecp256,aes256-sha512-modp4096!", "default".
/// The checks mirror strongSwan 5.9's proposal parser so that a swanctl.conf that strongSwan
/// loads is read the same way here, and one it refuses is refused with a message naming the token.
/// </summary>
public static class ProposalParser
{
    /// <summary>Parses a comma-separated proposal list. Throws <see cref="ProposalException"/> naming the bad token.</summary>
    public static IReadOnlyList<Proposal> Parse(string text, SecurityProtocol protocol) => ParseList(text, protocol).Proposals;

    /// <summary>Parses a proposal list and reports a trailing '!' (strict). Petrel never appends defaults, so it is informational.</summary>
    public static ProposalList ParseList(string text, SecurityProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(text);
        var body = text.Trim();
        bool strict = body.EndsWith('!');
        if (strict)
            body = body[..^1].TrimEnd();
        if (body.Length == 0)
            throw new ProposalException($"empty {Label(protocol)} proposal list", text);

        var result = new List<Proposal>();
        foreach (var raw in body.Split(','))
        {
            var one = raw.Trim();
            if (one.Length == 0)
                throw new ProposalException($"empty proposal in '{text}'", text);
            if (one.Equals("default", StringComparison.OrdinalIgnoreCase))
                result.AddRange(Default(protocol));
            else
                result.Add(ParseOne(one, protocol));
        }
        return new ProposalList(result, strict);
    }

    /// <summary>
    /// The proposals "default" expands to for this protocol: what strongSwan 5.9.8 (Debian 12, with the
    /// openssl, gcrypt, aes, des, ccm, gcm, chapoly, curve25519, xcbc and cmac plugins) logs as its
    /// configured proposals when none are given, with the weak algorithms (3DES, SHA-1) left out.
    /// Observed in the interop lab: IKE lists the classic proposal first, ESP the AEAD one.
    /// </summary>
    public static IReadOnlyList<Proposal> Default(SecurityProtocol protocol) => protocol switch
    {
        SecurityProtocol.Ike => [ParseOne(DefaultIkeClassic, protocol), ParseOne(DefaultIkeAead, protocol)],
        SecurityProtocol.Esp => [ParseOne(DefaultEspAead, protocol), ParseOne(DefaultEspClassic, protocol)],
        SecurityProtocol.Ah => [ParseOne(DefaultAh, protocol)],
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    private const string DefaultPrf = "prfsha256-prfsha384-prfsha512-prfaesxcbc-prfaescmac";
    private const string DefaultKe = "curve25519-curve448-ecp256-ecp384-ecp521-ecp256bp-ecp384bp-ecp512bp-modp3072-modp4096-modp6144-modp8192-modp2048";
    private const string DefaultIkeClassic =
        "aes128-aes192-aes256-aes128ctr-aes192ctr-aes256ctr-camellia128-camellia192-camellia256-camellia128ctr-camellia192ctr-camellia256ctr-" +
        "sha256-sha384-sha512-aesxcbc-aescmac-" + DefaultPrf + "-" + DefaultKe;
    private const string DefaultIkeAead =
        "aes128gcm16-aes192gcm16-aes256gcm16-aes128ccm16-aes192ccm16-aes256ccm16-chacha20poly1305-camellia128ccm16-camellia192ccm16-camellia256ccm16-" +
        "aes128gcm12-aes192gcm12-aes256gcm12-aes128gcm8-aes192gcm8-aes256gcm8-aes128ccm12-aes192ccm12-aes256ccm12-aes128ccm8-aes192ccm8-aes256ccm8-" +
        "camellia128ccm8-camellia192ccm8-camellia256ccm8-camellia128ccm12-camellia192ccm12-camellia256ccm12-" + DefaultPrf + "-" + DefaultKe;
    private const string DefaultEspAead = "aes128gcm16-aes192gcm16-aes256gcm16";
    private const string DefaultEspClassic = "aes128-aes192-aes256-sha256-sha384-sha512-aesxcbc";
    private const string DefaultAh = "sha256-sha384-sha512-aesxcbc";

    private static Proposal ParseOne(string proposal, SecurityProtocol protocol)
    {
        var encryption = new List<AlgorithmEntry>();
        var integrity = new List<AlgorithmEntry>();
        var prf = new List<AlgorithmEntry>();
        var ke = new List<AlgorithmEntry>();
        var esn = new List<AlgorithmEntry>();
        var additionalKe = new List<AlgorithmEntry?>[7];
        for (int i = 0; i < additionalKe.Length; i++)
            additionalKe[i] = [];

        foreach (var rawToken in proposal.Split('-'))
        {
            var token = rawToken.Trim();
            if (token.Length == 0)
                throw new ProposalException($"empty algorithm in proposal '{proposal}'", proposal);
            // RFC 9370 additional key exchanges use strongSwan 6's syntax: "ke1_mlkem768", "ke2_none".
            int additional = AdditionalKeyExchangeIndex(token, out var keyword);
            if (additional > 0)
            {
                var addList = additionalKe[additional - 1];
                if (keyword.Equals("none", StringComparison.OrdinalIgnoreCase))
                {
                    addList.Add(null);
                    continue;
                }
                var ke1 = AlgorithmCatalog.FindKeyword(keyword);
                if (ke1 is null || ke1.Type != TransformType.KeyExchange)
                    throw new ProposalException($"unknown key exchange '{keyword}' in '{token}' of proposal '{proposal}'", token);
                if (!addList.Contains(ke1))
                    addList.Add(ke1);
                continue;
            }

            var entry = AlgorithmCatalog.FindKeyword(token)
                ?? throw new ProposalException($"unknown algorithm '{token}' in proposal '{proposal}'", token);
            // strongSwan loads ESP/AH proposals with a prf keyword and ignores it (RFC 7296 §3.3.3: no PRF for
            // ESP/AH); do the same so existing swanctl.conf files load.
            if (entry.Type == TransformType.Prf && protocol != SecurityProtocol.Ike)
                continue;
            if (!UsableFor(entry, protocol))
                throw new ProposalException($"algorithm '{token}' ({entry.Name}) cannot be used in {Label(protocol)} proposals ('{proposal}')", token);
            if (!entry.Implemented)
                throw new ProposalException($"algorithm '{token}' ({entry.Name}) is known but not implemented in Petrel ('{proposal}')", token);

            var target = entry.Type switch
            {
                TransformType.Encryption => encryption,
                TransformType.Integrity => integrity,
                TransformType.Prf => prf,
                TransformType.KeyExchange => ke,
                TransformType.ExtendedSequenceNumbers => esn,
                _ => throw new ProposalException($"algorithm '{token}' has an unsupported transform type in '{proposal}'", token),
            };
            // A repeated keyword (or two aliases of one algorithm) adds nothing; keep the first position.
            if (!target.Contains(entry))
                target.Add(entry);
        }

        if (protocol is SecurityProtocol.Ike or SecurityProtocol.Esp)
        {
            if (encryption.Count == 0)
                throw new ProposalException($"an encryption algorithm is mandatory in {Label(protocol)} proposals ('{proposal}')", proposal);
            int aead = 0;
            foreach (var e in encryption)
                if (e.Encryption is { IsAead: true })
                    aead++;
            if (aead != 0 && aead != encryption.Count)
                throw new ProposalException($"classic and combined-mode (AEAD) encryption algorithms can't be mixed in one {Label(protocol)} proposal ('{proposal}'); use two proposals separated by ','", proposal);

            if (protocol == SecurityProtocol.Ike && prf.Count == 0)
            {
                // strongSwan: without an explicit prf keyword, each integrity algorithm implies its HMAC PRF
                // (so "aes256gcm16-sha384-ecp384" negotiates PRF_HMAC_SHA2_384).
                foreach (var i in integrity)
                    if (ImpliedPrf(i) is { } p && !prf.Contains(p))
                        prf.Add(p);
            }
            if (aead != 0)
            {
                // RFC 5282 §8 / RFC 4303 §3.2.3: an AEAD proposal carries no integrity transform. strongSwan drops
                // integrity keywords here rather than refusing the proposal; we do the same so its configs load.
                integrity.Clear();
            }
            else if (integrity.Count == 0)
            {
                throw new ProposalException($"an integrity algorithm is mandatory in {Label(protocol)} proposals with classic (non-AEAD) encryption ('{proposal}')", proposal);
            }
        }
        else
        {
            if (encryption.Count != 0)
                throw new ProposalException($"encryption algorithm '{encryption[0].Keyword}' is not allowed in AH proposals ('{proposal}')", encryption[0].Keyword);
            if (integrity.Count == 0)
                throw new ProposalException($"an integrity algorithm is mandatory in AH proposals ('{proposal}')", proposal);
        }

        if (protocol == SecurityProtocol.Ike)
        {
            if (prf.Count == 0)
                throw new ProposalException($"a PRF algorithm is mandatory in IKE proposals ('{proposal}'): add e.g. 'prfsha256'", proposal);
            if (ke.Count == 0)
                throw new ProposalException($"a key exchange method (DH group) is mandatory in IKE proposals ('{proposal}'): add e.g. 'ecp256' or 'modp2048'", proposal);
        }
        else if (esn.Count == 0)
        {
            // strongSwan: ESN is off unless the proposal says "esn".
            esn.Add(AlgorithmCatalog.FindKeyword("noesn")!);
        }

        for (int i = 0; i < additionalKe.Length; i++)
        {
            if (additionalKe[i].Count != 0 && ke.Count == 0)
                throw new ProposalException($"additional key exchange 'ke{i + 1}_…' needs a main key exchange in proposal '{proposal}'", proposal);
        }

        // RFC 7296 §3.3: transforms are listed by type; within a type the order is the preference.
        var transforms = new List<Transform>(encryption.Count + prf.Count + integrity.Count + ke.Count + esn.Count);
        foreach (var group in (List<AlgorithmEntry>[])[encryption, prf, integrity, ke])
            foreach (var e in group)
                transforms.Add(e.Transform);
        for (int i = 0; i < additionalKe.Length; i++)
        {
            var type = (TransformType)((int)TransformType.AdditionalKeyExchange1 + i);
            foreach (var e in additionalKe[i])
                transforms.Add(new Transform(type, e?.Id ?? 0));
        }
        foreach (var e in esn)
            transforms.Add(e.Transform);
        return new Proposal(protocol, transforms);
    }

    /// <summary>1-7 for a "keN_keyword" token (with the keyword after the underscore), else 0.</summary>
    private static int AdditionalKeyExchangeIndex(string token, out string keyword)
    {
        keyword = token;
        if (token.Length > 4 && (token[0] is 'k' or 'K') && (token[1] is 'e' or 'E') && token[2] is >= '1' and <= '7' && token[3] == '_')
        {
            keyword = token[4..];
            return token[2] - '0';
        }
        return 0;
    }

    /// <summary>The PRF an integrity keyword implies in an IKE proposal, as strongSwan maps them (RFC 4868 §2.1).</summary>
    private static AlgorithmEntry? ImpliedPrf(AlgorithmEntry integrity)
    {
        ushort? prfId = integrity.Id switch
        {
            1 => 1,    // HMAC_MD5_96 -> PRF_HMAC_MD5
            2 => 2,    // HMAC_SHA1_96 -> PRF_HMAC_SHA1
            5 => 4,    // AES_XCBC_96 -> PRF_AES128_XCBC
            7 => 2,    // HMAC_SHA1_160 -> PRF_HMAC_SHA1
            8 => 8,    // AES_CMAC_96 -> PRF_AES128_CMAC
            12 => 5,   // HMAC_SHA2_256_128 -> PRF_HMAC_SHA2_256
            13 => 6,   // HMAC_SHA2_384_192 -> PRF_HMAC_SHA2_384
            14 => 7,   // HMAC_SHA2_512_256 -> PRF_HMAC_SHA2_512
            1026 => 5, // HMAC_SHA2_256_96 (strongSwan private id) -> PRF_HMAC_SHA2_256
            _ => null,
        };
        return prfId is { } id && AlgorithmCatalog.TryFind(new Transform(TransformType.Prf, id), out var entry) ? entry : null;
    }

    private static bool UsableFor(AlgorithmEntry entry, SecurityProtocol protocol) => protocol switch
    {
        SecurityProtocol.Ike => entry.UsableForIke,
        SecurityProtocol.Esp => entry.UsableForEsp,
        SecurityProtocol.Ah => entry.UsableForAh,
        _ => false,
    };

    private static string Label(SecurityProtocol protocol) => protocol switch
    {
        SecurityProtocol.Ike => "IKE",
        SecurityProtocol.Esp => "ESP",
        SecurityProtocol.Ah => "AH",
        _ => protocol.ToString(),
    };
}

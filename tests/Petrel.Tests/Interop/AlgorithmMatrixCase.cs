using Petrel.Crypto.Algorithms;

namespace Petrel.Tests.Interop;

/// <summary>
/// One row of the algorithm matrix: an IKE proposal and an ESP proposal (strongSwan keywords,
/// one proposal each, so the negotiated result is fully determined), which side initiates, and
/// the algorithm names both peers must then report.
/// </summary>
/// <param name="Index">Row number; also names the connection ("mx{Index}") and the TCP port.</param>
/// <param name="IkeKeywords">IKE proposal tokens: encryption, [integrity], prf, key exchange.</param>
/// <param name="EspKeywords">ESP proposal tokens: encryption, [integrity] (none for AEAD).</param>
/// <param name="LeftInitiates">True when the left peer (Petrel) sends IKE_SA_INIT.</param>
public sealed record AlgorithmMatrixCase(int Index, string[] IkeKeywords, string[] EspKeywords, bool LeftInitiates)
{
    public string Connection => $"mx{Index}";
    public string Child => $"mx{Index}c";
    public string IkeProposal => string.Join('-', IkeKeywords);
    public string EspProposal => string.Join('-', EspKeywords);

    /// <summary>The xunit case name: readable, unique (the index leads).</summary>
    public string Name => $"{Index:D2} ike={IkeProposal} esp={EspProposal} {(LeftInitiates ? "left" : "right")}-initiates";

    public override string ToString() => Name;

    /// <summary>
    /// Catalogue entries of one proposal's tokens. A "ke1_…" token has none, so a row offering an
    /// additional key exchange fails here instead of checking only the main group.
    /// </summary>
    private static AlgorithmEntry[] Entries(IEnumerable<string> keywords) =>
        [.. keywords.Select(k => AlgorithmCatalog.FindKeyword(k) ?? throw new ArgumentException($"keyword {k} is not in Petrel's catalogue"))];

    private static string NameOf(AlgorithmEntry[] entries, TransformType type) =>
        entries.FirstOrDefault(e => e.Type == type)?.Name ?? "";

    // Petrel's list-sas --json uses the catalogue names (AES_CBC_128, HMAC_SHA2_256_128, PRF_…, MODP_2048).
    public string PetrelIkeEncr => NameOf(Entries(IkeKeywords), TransformType.Encryption);
    public string PetrelIkeInteg => NameOf(Entries(IkeKeywords), TransformType.Integrity);
    public string PetrelIkePrf => NameOf(Entries(IkeKeywords), TransformType.Prf);
    public string PetrelIkeDh => NameOf(Entries(IkeKeywords), TransformType.KeyExchange);
    public string PetrelEspEncr => NameOf(Entries(EspKeywords), TransformType.Encryption);
    public string PetrelEspInteg => NameOf(Entries(EspKeywords), TransformType.Integrity);

    /// <summary>
    /// What `swanctl --list-sas` prints for the IKE SA, e.g. "AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048":
    /// strongSwan writes a cipher's key length after a dash where the catalogue name ends in "_bits".
    /// </summary>
    public string StrongSwanIkeAlgorithms => StrongSwanLine(Entries(IkeKeywords));

    /// <summary>What `swanctl --list-sas` prints for the CHILD_SA, e.g. "AES_GCM_16-128" or "AES_CTR-256/AES_XCBC_96".</summary>
    public string StrongSwanEspAlgorithms => StrongSwanLine(Entries(EspKeywords));

    private static string StrongSwanLine(AlgorithmEntry[] entries)
    {
        var parts = new List<string>();
        foreach (var type in new[] { TransformType.Encryption, TransformType.Integrity, TransformType.Prf, TransformType.KeyExchange })
        {
            var e = entries.FirstOrDefault(x => x.Type == type);
            if (e is null) continue;
            parts.Add(type == TransformType.Encryption ? StrongSwanCipherName(e) : e.Name);
        }
        return string.Join('/', parts);
    }

    private static string StrongSwanCipherName(AlgorithmEntry e)
    {
        // strongSwan appends "-bits" only when the transform carries a Key Length attribute (RFC 7296
        // §3.3.5): "AES_GCM_16-128", "CAST_CBC-128", but "CHACHA20_POLY1305" and "3DES_CBC".
        var suffix = "_" + e.KeyLengthBits;
        return e.KeyLengthBits != 0 && e.Name.EndsWith(suffix, StringComparison.Ordinal) ? e.Name[..^suffix.Length] + "-" + e.KeyLengthBits : e.Name;
    }
}

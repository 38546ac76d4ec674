namespace Petrel.Tests.Harness;

/// <summary>An IKE proposal and an ESP proposal in strongSwan's keywords, configured identically on both peers.</summary>
/// <param name="SwanctlEsp">How `swanctl --list-sas` names the negotiated ESP algorithms (after "ESP:").</param>
public sealed record ProposalPair(string Ike, string Esp, string SwanctlEsp)
{
    public static readonly ProposalPair CbcHmac = new("aes128-sha256-modp2048", "aes128-sha256", "AES_CBC-128/HMAC_SHA2_256_128");
    public static readonly ProposalPair Gcm128 = new("aes128gcm16-prfsha256-ecp256", "aes128gcm16", "AES_GCM_16-128");
    public static readonly ProposalPair Gcm256 = new("aes256gcm16-prfsha384-ecp384", "aes256gcm16", "AES_GCM_16-256");
    public static readonly ProposalPair ChaCha = new("chacha20poly1305-prfsha256-x25519", "chacha20poly1305", "CHACHA20_POLY1305");

    public static ProposalPair ByName(string name) => name switch
    {
        "cbc-hmac" => CbcHmac,
        "gcm128" => Gcm128,
        "gcm256" => Gcm256,
        "chacha" => ChaCha,
        _ => throw new ArgumentException($"unknown proposal pair {name}", nameof(name)),
    };

    public override string ToString() => $"{Ike} / esp {Esp}";
}

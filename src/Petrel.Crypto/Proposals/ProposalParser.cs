namespace Petrel.Crypto.Proposals;

/// <summary>strongSwan's proposal language: "aes128gcm16-prfsha256-ecp256,aes256-sha512-modp4096!", "default".</summary>
public static class ProposalParser
{
    /// <summary>Parses a comma-separated proposal list. Throws <see cref="ProposalException"/> naming the bad token.</summary>
    public static IReadOnlyList<Proposal> Parse(string text, SecurityProtocol protocol) => throw new NotImplementedException();

    /// <summary>The proposals "default" expands to for this protocol.</summary>
    public static IReadOnlyList<Proposal> Default(SecurityProtocol protocol) => throw new NotImplementedException();
}

public sealed class ProposalException(string message, string token) : FormatException(message)
{
    public string Token { get; } = token;
}

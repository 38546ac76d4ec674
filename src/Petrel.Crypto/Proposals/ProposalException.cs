namespace Petrel.Crypto.Proposals;

/// <summary>A proposal string that cannot be used; <see cref="Token"/> is the keyword or proposal at fault.</summary>
public sealed class ProposalException(string message, string token) : FormatException(message)
{
    public string Token { get; } = token;
}

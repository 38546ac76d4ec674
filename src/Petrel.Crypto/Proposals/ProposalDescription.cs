namespace Petrel.Crypto.Proposals;

/// <summary>What a proposal string means: the parsed proposals, a readable explanation and warnings.</summary>
public sealed record ProposalDescription(
    SecurityProtocol Protocol,
    bool Strict,
    IReadOnlyList<Proposal> Proposals,
    IReadOnlyList<string> Lines,
    IReadOnlyList<string> Warnings)
{
    /// <summary>The explanation followed by the warnings, one per line, as `petrel proposal` prints it.</summary>
    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var line in Lines)
            sb.AppendLine(line);
        foreach (var w in Warnings)
            sb.Append("warning: ").AppendLine(w);
        return sb.ToString();
    }
}

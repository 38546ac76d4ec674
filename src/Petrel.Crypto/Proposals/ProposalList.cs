namespace Petrel.Crypto.Proposals;

/// <summary>A parsed proposal list and whether it ended in '!' (strict: no defaults appended).</summary>
public sealed record ProposalList(IReadOnlyList<Proposal> Proposals, bool Strict);

namespace Petrel.Crypto.Proposals;

/// <summary>RFC 7296 §2.7 proposal selection.</summary>
public static class ProposalSelector
{
    /// <summary>
    /// Picks the first of the peer's proposals (in their order) that one of ours accepts, reduced to one
    /// transform per type, keeping the peer's proposal number and SPI. Null when none matches.
    /// A received KE transform list is matched as a set (any of ours); ESN "no" is assumed when absent.
    /// </summary>
    public static Proposal? Select(IReadOnlyList<Proposal> ours, IReadOnlyList<Proposal> theirs) => throw new NotImplementedException();
}

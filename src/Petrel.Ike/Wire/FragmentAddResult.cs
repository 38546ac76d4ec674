namespace Petrel.Ike.Wire;

/// <summary>What <see cref="IkeFragmentReassembler.Add"/> did with a fragment.</summary>
public enum FragmentAddResult
{
    /// <summary>Stored; more fragments are needed.</summary>
    Incomplete,
    /// <summary>The last missing fragment arrived; the whole message was decoded.</summary>
    Complete,
    /// <summary>Ignored: a duplicate, for an older message, a smaller Total Fragments, or over the limits (RFC 7383 §2.6.2).</summary>
    Ignored,
    /// <summary>All fragments arrived but the joined payload chain is malformed (authenticated, so INVALID_SYNTAX may be sent).</summary>
    InvalidSyntax,
}

namespace Petrel.Ike.Certificates;

/// <summary>
/// How many certificate signatures one peer's authentication may have verified (issue 12, "one chain-validation budget
/// per SA"): chain building tries every candidate whose subject names the issuer, so a peer sending many certificates
/// under one name, or matching many connections, would otherwise buy one signature check per candidate and level.
/// Once spent, further candidates count as not the issuer and validation fails with <see cref="Reason"/>.
/// Not thread-safe: one IKE_AUTH is handled on one thread.
/// </summary>
public sealed class SignatureBudget(int checks = SignatureBudget.DefaultChecks)
{
    /// <summary>A chain of <see cref="ChainValidator.MaxDepth"/> links needs at most that many; the rest allows several candidate connections.</summary>
    public const int DefaultChecks = 32;

    public int Limit { get; } = checks;
    public int Used { get; private set; }
    public bool Exhausted { get; private set; }

    public string Reason => $"certificate chain validation gave up after {Limit} signature checks";

    /// <summary>Takes one check; false (and <see cref="Exhausted"/>) when none is left.</summary>
    public bool TrySpend()
    {
        if (Used >= Limit)
        {
            Exhausted = true;
            return false;
        }
        Used++;
        return true;
    }
}

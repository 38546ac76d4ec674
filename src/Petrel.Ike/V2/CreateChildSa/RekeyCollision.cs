namespace Petrel.Ike.V2.CreateChildSa;

/// <summary>
/// RFC 7296 §2.8.1: when both ends rekey the same SA at once, "the SA created with the lowest of the
/// four nonces used in the two exchanges SHOULD be closed by the endpoint that created it". Both ends
/// see the same four nonces and so reach the same verdict without further messages.
/// </summary>
internal static class RekeyCollision
{
    /// <summary>True when our exchange (nonces ourNi, ourNr) carries the lowest of the four nonces: ours loses.</summary>
    public static bool WeLose(ReadOnlySpan<byte> ourNi, ReadOnlySpan<byte> ourNr, ReadOnlySpan<byte> peerNi, ReadOnlySpan<byte> peerNr)
    {
        var ours = Compare(ourNi, ourNr) <= 0 ? ourNi : ourNr;
        var theirs = Compare(peerNi, peerNr) <= 0 ? peerNi : peerNr;
        return Compare(ours, theirs) < 0;
    }

    /// <summary>Octet-wise comparison, like strongSwan's memcmp over the shorter length, then the shorter one is lower.</summary>
    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        int n = Math.Min(a.Length, b.Length);
        int c = a[..n].SequenceCompareTo(b[..n]);
        return c != 0 ? c : a.Length.CompareTo(b.Length);
    }
}

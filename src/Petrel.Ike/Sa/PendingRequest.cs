namespace Petrel.Ike.Sa;

/// <summary>Our outstanding request (§2.3 window of 1): the bytes to retransmit, and when (§2.1 back-off).</summary>
internal sealed class PendingRequest
{
    public required uint MessageId { get; init; }
    public required byte[] Bytes { get; init; }

    /// <summary>RFC 7383: all fragments (the first is <see cref="Bytes"/>) when the request was sent fragmented.</summary>
    public IReadOnlyList<byte[]>? Fragments { get; init; }
    public required IkeTask Task { get; init; }
    public int Retransmits { get; set; }
    public TimeSpan Deadline { get; set; }
}

using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.Fragmentation;

/// <summary>What a received fragment did to the message being put together.</summary>
internal enum FragmentOutcome
{
    /// <summary>Kept (or a duplicate, ignored); more fragments are needed.</summary>
    NeedMore,
    /// <summary>The last missing fragment: the whole message is ready.</summary>
    Complete,
    /// <summary>The message grew beyond the limit: everything collected was dropped.</summary>
    TooLarge,
}

/// <summary>
/// One IKEv1 message being reassembled from fragments (one per IKE SA, as strongSwan keeps one). A fragment with
/// another ID starts over; duplicates are ignored; the message is complete once the fragment flagged last and every
/// number before it are here. The collected octets are bounded by max_packet.
/// </summary>
internal sealed class V1Reassembly(int maxBytes)
{
    private readonly SortedDictionary<byte, byte[]> _pieces = [];
    private ushort _id;
    private byte _last;
    private int _length;

    public int Count => _pieces.Count;

    public FragmentOutcome Add(FragmentPayload fragment, out byte[]? message)
    {
        message = null;
        if (_pieces.Count > 0 && fragment.Id != _id) Reset();
        _id = fragment.Id;
        if (_pieces.ContainsKey(fragment.Number)) return FragmentOutcome.NeedMore;
        if (fragment.Last && _last == 0) _last = fragment.Number;
        _length += fragment.Data.Length;
        if (_length > maxBytes)
        {
            Reset();
            return FragmentOutcome.TooLarge;
        }
        _pieces[fragment.Number] = fragment.Data;
        if (_last == 0 || _pieces.Count != _last || _pieces.Keys.Max() != _last) return FragmentOutcome.NeedMore;
        message = new byte[_length];
        int offset = 0;
        foreach (var piece in _pieces.Values)
        {
            piece.CopyTo(message, offset);
            offset += piece.Length;
        }
        Reset();
        return FragmentOutcome.Complete;
    }

    private void Reset()
    {
        _pieces.Clear();
        _last = 0;
        _length = 0;
    }
}

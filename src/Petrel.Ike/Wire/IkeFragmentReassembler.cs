namespace Petrel.Ike.Wire;

/// <summary>
/// Reassembles RFC 7383 fragmented messages of one IKE SA and one direction (requests or responses).
/// Only fragments that passed the integrity check (decoded with an <see cref="SkCipher"/>) may be added,
/// so an attacker cannot fill or poison the buffer (§2.6.2 / §5). One message is reassembled at a time:
/// a fragment of a later message ID starts over.
/// </summary>
public sealed class IkeFragmentReassembler(int maxFragments = 128, int maxBytes = 256 * 1024)
{
    private byte[]?[] _parts = [];
    private uint _messageId;
    private bool _active;
    private int _received;
    private int _bytes;
    private PayloadType _first;

    public int MaxFragments { get; } = maxFragments;
    public int MaxBytes { get; } = maxBytes;

    /// <summary>Forgets any partial message (the exchange finished or the SA is rekeyed).</summary>
    public void Reset()
    {
        _parts = [];
        _active = false;
        _received = 0;
        _bytes = 0;
        _first = PayloadType.None;
    }

    /// <summary>
    /// Adds a decoded message holding one decrypted SKF payload. On Complete, complete is a message with the
    /// fragment's header fields and all inner payloads, and the reassembler is ready for the next message.
    /// </summary>
    public FragmentAddResult Add(IkeMessage fragmentMessage, out IkeMessage? complete, out string error)
    {
        complete = null;
        if (fragmentMessage.Payloads.Count == 0 || fragmentMessage.Payloads[^1] is not EncryptedFragmentPayload { IsDecrypted: true } fragment)
        {
            error = "message holds no decrypted SKF payload";
            return FragmentAddResult.Ignored;
        }

        if (_active && fragmentMessage.MessageId != _messageId)
        {
            if (fragmentMessage.MessageId < _messageId)
            {
                error = $"fragment of message {fragmentMessage.MessageId} while reassembling {_messageId}";
                return FragmentAddResult.Ignored;
            }
            Reset();
        }
        if (fragment.TotalFragments > MaxFragments)
        {
            error = $"{fragment.TotalFragments} fragments exceed the limit of {MaxFragments}";
            return FragmentAddResult.Ignored;
        }
        if (_active && fragment.TotalFragments != _parts.Length)
        {
            // RFC 7383 §2.6.2: a larger Total Fragments means the sender re-fragmented (e.g. for a smaller
            // PMTU): start again; a smaller one belongs to an older attempt and is dropped.
            if (fragment.TotalFragments < _parts.Length)
            {
                error = $"fragment says {fragment.TotalFragments} in total, {_parts.Length} expected";
                return FragmentAddResult.Ignored;
            }
            Reset();
        }
        if (!_active)
        {
            _parts = new byte[fragment.TotalFragments][];
            _messageId = fragmentMessage.MessageId;
            _active = true;
        }

        int index = fragment.FragmentNumber - 1;
        if (_parts[index] is not null)
        {
            error = $"duplicate fragment {fragment.FragmentNumber}";
            return FragmentAddResult.Ignored;
        }
        if (_bytes + fragment.Content.Length > MaxBytes)
        {
            error = $"reassembled message would exceed {MaxBytes} bytes";
            Reset();
            return FragmentAddResult.Ignored;
        }
        _parts[index] = fragment.Content.ToArray();
        _bytes += fragment.Content.Length;
        _received++;
        // RFC 7383 §2.5: only the first fragment's Next Payload names the first inner payload.
        if (index == 0) _first = fragment.FirstInnerPayload;

        if (_received < _parts.Length)
        {
            error = "";
            return FragmentAddResult.Incomplete;
        }

        var joined = new byte[_bytes];
        int offset = 0;
        foreach (var part in _parts)
        {
            part!.CopyTo(joined, offset);
            offset += part.Length;
            Array.Clear(part);
        }
        var first = _first;
        Reset();

        var message = new IkeMessage
        {
            InitiatorSpi = fragmentMessage.InitiatorSpi,
            ResponderSpi = fragmentMessage.ResponderSpi,
            ExchangeType = fragmentMessage.ExchangeType,
            Flags = fragmentMessage.Flags,
            MessageId = fragmentMessage.MessageId,
            MajorVersion = fragmentMessage.MajorVersion,
            MinorVersion = fragmentMessage.MinorVersion,
        };
        bool ok = IkeMessage.TryDecodePayloadChain(first, joined, message.Payloads, out error);
        if (ok) message.MarkDecrypted(joined, first);
        Array.Clear(joined);
        if (!ok) return FragmentAddResult.InvalidSyntax;
        complete = message;
        return FragmentAddResult.Complete;
    }
}

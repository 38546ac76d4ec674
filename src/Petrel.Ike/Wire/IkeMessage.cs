using System.Buffers.Binary;

namespace Petrel.Ike.Wire;

/// <summary>
/// An IKEv2 message: header fields and payloads (RFC 7296 §3). Encoding computes the Next Payload chain
/// and every length; with an <see cref="SkCipher"/> all payloads go inside one SK payload (§3.14).
/// The exact bytes sent or received are kept in <see cref="RawBytes"/> (retransmission, and the AUTH
/// signed octets of §2.15 which cover the whole IKE_SA_INIT messages).
/// </summary>
public sealed class IkeMessage
{
    public ulong InitiatorSpi { get; set; }
    public ulong ResponderSpi { get; set; }
    public ExchangeType ExchangeType { get; set; }
    public IkeHeaderFlags Flags { get; set; }
    public uint MessageId { get; set; }
    public byte MajorVersion { get; set; } = 2;
    public byte MinorVersion { get; set; }

    /// <summary>Payloads in order. After decoding an encrypted message, these are the decrypted inner payloads (preceded by any outer ones).</summary>
    public List<IkePayload> Payloads { get; } = [];

    /// <summary>True when the payloads came out of a verified SK (or SKF) payload.</summary>
    public bool WasEncrypted { get; private set; }

    /// <summary>Marks a message put together from verified fragments (RFC 7383) as having been encrypted.</summary>
    internal void MarkDecrypted(byte[] innerPlaintext, PayloadType firstInner)
    {
        WasEncrypted = true;
        KeepIntermediatePlaintext(innerPlaintext, firstInner);
    }

    private byte[]? _intermediatePlaintext;
    private PayloadType _intermediateFirstInner;
    private byte[] _outerPayloadBytes = [];

    // RFC 9242 §3.3.2 authenticates IKE_INTERMEDIATE messages by their plaintext, so only those keep it.
    private void KeepIntermediatePlaintext(ReadOnlySpan<byte> inner, PayloadType firstInner)
    {
        if (ExchangeType != ExchangeType.IkeIntermediate) return;
        _intermediatePlaintext = inner.ToArray();
        _intermediateFirstInner = firstInner;
    }

    /// <summary>
    /// IntAuth_A | IntAuth_P of RFC 9242 §3.3.2 for an IKE_INTERMEDIATE message sent or received encrypted:
    /// the IKE header, any unencrypted payloads and the SK generic header, with the header Length and the SK
    /// Payload Length counting only the plaintext inner payloads (no IV, padding, pad length or ICV), followed
    /// by those inner payloads. The result is the same whatever the cipher and whether the message was
    /// fragmented (RFC 7383), as §3.3.2 requires. False for other messages.
    /// </summary>
    public bool TryGetIntermediateAuthOctets(out byte[] octets)
    {
        if (_intermediatePlaintext is not { } p)
        {
            octets = [];
            return false;
        }
        int outer = _outerPayloadBytes.Length;
        int skLength = IkePayload.HeaderSize + p.Length;
        int length = IkeHeader.Size + outer + skLength;
        octets = new byte[length];
        // With unencrypted payloads before SK the header names the first of them (as received), else SK.
        var first = outer > 0 ? (PayloadType)RawBytes![16] : PayloadType.Encrypted;
        MakeHeader(first, length).Write(octets);
        _outerPayloadBytes.CopyTo(octets, IkeHeader.Size);
        WriteGenericHeader(octets.AsSpan(IkeHeader.Size + outer), _intermediateFirstInner, false, skLength);
        p.CopyTo(octets, IkeHeader.Size + outer + IkePayload.HeaderSize);
        return true;
    }

    /// <summary>The exact bytes last encoded or received (null before either).</summary>
    public byte[]? RawBytes { get; private set; }

    /// <summary>The original initiator sent this message (header I flag).</summary>
    public bool IsInitiator
    {
        get => (Flags & IkeHeaderFlags.Initiator) != 0;
        set => Flags = value ? Flags | IkeHeaderFlags.Initiator : Flags & ~IkeHeaderFlags.Initiator;
    }

    public bool IsResponse
    {
        get => (Flags & IkeHeaderFlags.Response) != 0;
        set => Flags = value ? Flags | IkeHeaderFlags.Response : Flags & ~IkeHeaderFlags.Response;
    }

    /// <summary>The first payload of type T, or null.</summary>
    public T? Get<T>() where T : IkePayload
    {
        foreach (var p in Payloads)
            if (p is T t) return t;
        return null;
    }

    public IEnumerable<T> GetAll<T>() where T : IkePayload
    {
        foreach (var p in Payloads)
            if (p is T t) yield return t;
    }

    /// <summary>The first payload of this type (distinguishes IDi/IDr and TSi/TSr), or null.</summary>
    public IkePayload? Get(PayloadType type)
    {
        foreach (var p in Payloads)
            if (p.Type == type) return p;
        return null;
    }

    public NotifyPayload? GetNotify(NotifyType type)
    {
        foreach (var p in Payloads)
            if (p is NotifyPayload n && n.NotifyType == type) return n;
        return null;
    }

    /// <summary>RFC 7296 §2.5: the first unknown payload with the critical bit, whose type goes into UNSUPPORTED_CRITICAL_PAYLOAD.</summary>
    public UnknownPayload? UnsupportedCriticalPayload
    {
        get
        {
            foreach (var p in Payloads)
                if (p is UnknownPayload u && u.Critical) return u;
            return null;
        }
    }

    /// <summary>strongSwan-style summary, e.g. "IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]".</summary>
    public override string ToString() => MessageSummary.Describe(this);

    private IkeHeader MakeHeader(PayloadType next, int length) =>
        new(InitiatorSpi, ResponderSpi, next, MajorVersion, MinorVersion, ExchangeType, Flags, MessageId, (uint)length);

    /// <summary>Encodes the message in the clear (IKE_SA_INIT, or errors sent without an SA).</summary>
    public byte[] Encode()
    {
        int length = IkeHeader.Size + ChainLength(Payloads);
        var buffer = new byte[length];
        MakeHeader(Payloads.Count > 0 ? Payloads[0].Type : PayloadType.None, length).Write(buffer);
        WriteChain(Payloads, buffer.AsSpan(IkeHeader.Size));
        RawBytes = buffer;
        return buffer;
    }

    /// <summary>The length <see cref="Encode(SkCipher)"/> gives the message, without encoding it.</summary>
    public int ProtectedLength(SkCipher cipher) => IkeHeader.Size + IkePayload.HeaderSize + cipher.GetProtectedLength(ChainLength(Payloads));

    /// <summary>Encodes the message with every payload inside one SK payload protected by cipher (RFC 7296 §3.14).</summary>
    public byte[] Encode(SkCipher cipher)
    {
        var inner = new byte[ChainLength(Payloads)];
        WriteChain(Payloads, inner);
        int protectedLength = cipher.GetProtectedLength(inner.Length);
        int length = IkeHeader.Size + IkePayload.HeaderSize + protectedLength;
        var buffer = new byte[length];
        MakeHeader(PayloadType.Encrypted, length).Write(buffer);
        WriteGenericHeader(buffer.AsSpan(IkeHeader.Size), Payloads.Count > 0 ? Payloads[0].Type : PayloadType.None, false, IkePayload.HeaderSize + protectedLength);
        cipher.Seal(buffer, IkeHeader.Size + IkePayload.HeaderSize, inner);
        KeepIntermediatePlaintext(inner, Payloads.Count > 0 ? Payloads[0].Type : PayloadType.None);
        Array.Clear(inner);
        RawBytes = buffer;
        WasEncrypted = true;
        return buffer;
    }

    /// <summary>
    /// Encodes the message as RFC 7383 fragments, each an SKF payload in a message of at most maxMessageSize
    /// bytes (the IKE message, without IP/UDP headers). Returns one message when everything fits in one fragment.
    /// </summary>
    public IReadOnlyList<byte[]> EncodeFragments(SkCipher cipher, int maxMessageSize)
    {
        var inner = new byte[ChainLength(Payloads)];
        WriteChain(Payloads, inner);
        const int skfHeader = IkePayload.HeaderSize + 4;
        int maxContent = cipher.GetMaxPlaintextLength(maxMessageSize - IkeHeader.Size - skfHeader);
        if (maxContent < 1)
            throw new ArgumentOutOfRangeException(nameof(maxMessageSize), $"{maxMessageSize} bytes leave no room for fragment content");
        int total = Math.Max(1, (inner.Length + maxContent - 1) / maxContent);
        if (total > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(maxMessageSize), "message needs more than 65535 fragments");
        var fragments = new byte[total][];
        for (int i = 0; i < total; i++)
        {
            int offset = i * maxContent;
            var content = inner.AsSpan(offset, Math.Min(maxContent, inner.Length - offset));
            int protectedLength = cipher.GetProtectedLength(content.Length);
            int length = IkeHeader.Size + skfHeader + protectedLength;
            var buffer = new byte[length];
            MakeHeader(PayloadType.EncryptedFragment, length).Write(buffer);
            // RFC 7383 §2.5: Next Payload is the first inner payload in fragment 1, zero in the others.
            var first = i == 0 && Payloads.Count > 0 ? Payloads[0].Type : PayloadType.None;
            WriteGenericHeader(buffer.AsSpan(IkeHeader.Size), first, false, skfHeader + protectedLength);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(IkeHeader.Size + 4), (ushort)(i + 1));
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(IkeHeader.Size + 6), (ushort)total);
            cipher.Seal(buffer, IkeHeader.Size + skfHeader, content);
            fragments[i] = buffer;
        }
        KeepIntermediatePlaintext(inner, Payloads.Count > 0 ? Payloads[0].Type : PayloadType.None);
        Array.Clear(inner);
        WasEncrypted = true;
        return fragments;
    }

    private static int ChainLength(List<IkePayload> payloads)
    {
        int length = 0;
        foreach (var p in payloads) length += p.EncodedLength;
        return length;
    }

    private static void WriteChain(List<IkePayload> payloads, Span<byte> destination)
    {
        int offset = 0;
        for (int i = 0; i < payloads.Count; i++)
        {
            var p = payloads[i];
            // An SK/SKF payload (only ever last) names its first inner payload instead of a following one.
            var next = p switch
            {
                EncryptedPayload sk => sk.FirstInnerPayload,
                EncryptedFragmentPayload skf => skf.FirstInnerPayload,
                _ => i + 1 < payloads.Count ? payloads[i + 1].Type : PayloadType.None,
            };
            int length = p.EncodedLength;
            WriteGenericHeader(destination[offset..], next, p.Critical, length);
            p.WriteBody(destination.Slice(offset + IkePayload.HeaderSize, length - IkePayload.HeaderSize));
            offset += length;
        }
    }

    private static void WriteGenericHeader(Span<byte> destination, PayloadType next, bool critical, int length)
    {
        if (length > ushort.MaxValue)
            throw new InvalidOperationException($"payload of {length} bytes exceeds the 16-bit length field");
        destination[0] = (byte)next;
        destination[1] = critical ? (byte)0x80 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)length);
    }

    /// <summary>
    /// Decodes a received datagram (non-ESP marker already removed). With a cipher, an SK payload is verified
    /// and decrypted and its inner payloads appended to <see cref="Payloads"/>; without one it stays an
    /// <see cref="EncryptedPayload"/>. SKF payloads are verified and decrypted into an
    /// <see cref="EncryptedFragmentPayload"/> for the engine to reassemble. Never throws for bad input.
    /// For InvalidMajorVersion, message holds the header fields and no payloads.
    /// </summary>
    public static IkeDecodeStatus TryDecode(ReadOnlySpan<byte> data, SkCipher? cipher, out IkeMessage? message, out string error)
    {
        message = null;
        var status = IkeHeader.TryDecode(data, out var header, out error);
        if (status == IkeDecodeStatus.InvalidMajorVersion)
        {
            message = FromHeader(header);
            return status;
        }
        if (status != IkeDecodeStatus.Success) return status;
        if (header.Length != (uint)data.Length)
        {
            error = $"IKE header length {header.Length} does not match the {data.Length}-byte datagram";
            return IkeDecodeStatus.Malformed;
        }

        var m = FromHeader(header);
        var bytes = data.ToArray();
        m.RawBytes = bytes;
        var next = header.NextPayload;
        int offset = IkeHeader.Size;
        while (next != PayloadType.None)
        {
            if (!TryReadGenericHeader(bytes, offset, next, out var following, out bool critical, out int length, out error))
                return IkeDecodeStatus.Malformed;
            var body = bytes.AsSpan(offset + IkePayload.HeaderSize, length - IkePayload.HeaderSize);

            if (next is PayloadType.Encrypted or PayloadType.EncryptedFragment)
            {
                // RFC 7296 §3.14 / RFC 7383 §2.5: SK/SKF is the last payload; its Next Payload field names the first inner payload.
                if (offset + length != bytes.Length)
                {
                    error = $"{next} payload is not the last payload of the message";
                    return IkeDecodeStatus.Malformed;
                }
                status = next == PayloadType.Encrypted
                    ? DecodeEncrypted(m, bytes, offset, following, critical, cipher, out error)
                    : DecodeFragment(m, bytes, offset, following, critical, cipher, out error);
                if (status != IkeDecodeStatus.Success) return status;
                message = m;
                return IkeDecodeStatus.Success;
            }

            if (!PayloadDecoder.TryDecode(next, critical, body, out var payload, out error))
                return IkeDecodeStatus.Malformed;
            m.Payloads.Add(payload!);
            offset += length;
            next = following;
        }
        if (offset != bytes.Length)
        {
            error = $"{bytes.Length - offset} bytes after the last payload";
            return IkeDecodeStatus.Malformed;
        }
        message = m;
        return IkeDecodeStatus.Success;
    }

    private static IkeDecodeStatus DecodeEncrypted(IkeMessage m, byte[] bytes, int offset, PayloadType first, bool critical, SkCipher? cipher, out string error)
    {
        int ivOffset = offset + IkePayload.HeaderSize;
        if (cipher is null)
        {
            m.Payloads.Add(new EncryptedPayload(first, bytes.AsMemory(ivOffset)) { Critical = critical });
            error = "";
            return IkeDecodeStatus.Success;
        }
        var status = cipher.Open(bytes, ivOffset, out var plaintext, out error);
        if (status != IkeDecodeStatus.Success) return status;
        m.WasEncrypted = true;
        m._outerPayloadBytes = bytes.AsSpan(IkeHeader.Size, offset - IkeHeader.Size).ToArray();
        bool ok = TryDecodePayloadChain(first, plaintext, m.Payloads, out error);
        m.KeepIntermediatePlaintext(plaintext, first);
        Array.Clear(plaintext);
        return ok ? IkeDecodeStatus.Success : IkeDecodeStatus.InvalidSyntax;
    }

    private static IkeDecodeStatus DecodeFragment(IkeMessage m, byte[] bytes, int offset, PayloadType first, bool critical, SkCipher? cipher, out string error)
    {
        var r = new IkeReader(bytes.AsSpan(offset + IkePayload.HeaderSize));
        if (!r.TryReadUInt16(out ushort number) || !r.TryReadUInt16(out ushort total))
        {
            error = "SKF payload is shorter than its fragment header";
            return IkeDecodeStatus.Malformed;
        }
        // RFC 7383 §2.5: fragment numbers start at 1 and never exceed Total Fragments.
        if (number == 0 || number > total)
        {
            error = $"SKF fragment {number} of {total} is out of range";
            return IkeDecodeStatus.Malformed;
        }
        int ivOffset = offset + IkePayload.HeaderSize + 4;
        if (cipher is null)
        {
            m.Payloads.Add(new EncryptedFragmentPayload(first, number, total, bytes.AsMemory(ivOffset), false) { Critical = critical });
            error = "";
            return IkeDecodeStatus.Success;
        }
        var status = cipher.Open(bytes, ivOffset, out var plaintext, out error);
        if (status != IkeDecodeStatus.Success) return status;
        m.WasEncrypted = true;
        m.Payloads.Add(new EncryptedFragmentPayload(first, number, total, plaintext, true) { Critical = critical });
        return IkeDecodeStatus.Success;
    }

    /// <summary>
    /// Decodes a chain of payloads starting with type first that fills data exactly (the plaintext of an SK
    /// payload, or the joined contents of SKF fragments). Payloads are appended to into.
    /// </summary>
    public static bool TryDecodePayloadChain(PayloadType first, ReadOnlySpan<byte> data, List<IkePayload> into, out string error)
    {
        var next = first;
        int offset = 0;
        while (next != PayloadType.None)
        {
            if (next is PayloadType.Encrypted or PayloadType.EncryptedFragment)
            {
                error = $"{next} payload nested inside an encrypted payload";
                return false;
            }
            if (!TryReadGenericHeader(data, offset, next, out var following, out bool critical, out int length, out error))
                return false;
            if (!PayloadDecoder.TryDecode(next, critical, data.Slice(offset + IkePayload.HeaderSize, length - IkePayload.HeaderSize), out var payload, out error))
                return false;
            into.Add(payload!);
            offset += length;
            next = following;
        }
        if (offset != data.Length)
        {
            error = $"{data.Length - offset} bytes after the last payload";
            return false;
        }
        error = "";
        return true;
    }

    private static bool TryReadGenericHeader(ReadOnlySpan<byte> data, int offset, PayloadType type, out PayloadType next, out bool critical, out int length, out string error)
    {
        var r = new IkeReader(data[offset..]);
        if (!r.TryReadUInt8(out byte nextByte) || !r.TryReadUInt8(out byte flags) || !r.TryReadUInt16(out ushort payloadLength))
        {
            next = PayloadType.None; critical = false; length = 0;
            error = $"{type} payload header truncated at offset {offset}";
            return false;
        }
        next = (PayloadType)nextByte;
        critical = (flags & 0x80) != 0;
        length = payloadLength;
        if (payloadLength < IkePayload.HeaderSize)
        {
            error = $"{type} payload length {payloadLength} is below the 4-byte header";
            return false;
        }
        if (payloadLength > data.Length - offset)
        {
            error = $"{type} payload length {payloadLength} runs past the end ({data.Length - offset} bytes left)";
            return false;
        }
        error = "";
        return true;
    }

    private static IkeMessage FromHeader(IkeHeader h) => new()
    {
        InitiatorSpi = h.InitiatorSpi,
        ResponderSpi = h.ResponderSpi,
        ExchangeType = h.ExchangeType,
        Flags = h.Flags,
        MessageId = h.MessageId,
        MajorVersion = h.MajorVersion,
        MinorVersion = h.MinorVersion,
    };
}

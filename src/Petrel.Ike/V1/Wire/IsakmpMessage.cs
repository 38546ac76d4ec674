using System.Buffers.Binary;
using Petrel.Ike.V1.Keying;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V1.Wire;

/// <summary>
/// An ISAKMP message (RFC 2408 §3.1): the 28-byte header and the chain of payloads. With the E flag the payloads
/// travel encrypted (<see cref="Phase1Cipher"/>); decoding commits the CBC chain only once the payload chain parses,
/// so a forged or garbled message leaves the exchange's IV where it was.
/// </summary>
public sealed class IsakmpMessage
{
    public const int HeaderLength = 28;
    public const byte Version = 0x10;

    public ulong InitiatorCookie { get; set; }
    public ulong ResponderCookie { get; set; }
    public IsakmpExchange Exchange { get; set; }
    public IsakmpFlags Flags { get; set; }
    public uint MessageId { get; set; }
    public List<IsakmpPayload> Payloads { get; } = [];

    public bool WasEncrypted => (Flags & IsakmpFlags.Encryption) != 0;

    public IsakmpPayload? Get(IsakmpPayloadType type) => Payloads.Find(p => p.Type == type);

    public IEnumerable<IsakmpPayload> All(IsakmpPayloadType type) => Payloads.Where(p => p.Type == type);

    public IsakmpMessage Add(IsakmpPayloadType type, byte[] body)
    {
        Payloads.Add(new IsakmpPayload(type, body));
        return this;
    }

    /// <summary>The payload chain as it goes on the wire (generic headers included, unencrypted).</summary>
    public static byte[] EncodePayloads(IReadOnlyList<IsakmpPayload> payloads, int from = 0)
    {
        int length = 0;
        for (int i = from; i < payloads.Count; i++) length += payloads[i].EncodedLength;
        var buffer = new byte[length];
        var w = new IkeWriter(buffer);
        for (int i = from; i < payloads.Count; i++)
        {
            var p = payloads[i];
            w.WriteUInt8(i + 1 < payloads.Count ? (byte)payloads[i + 1].Type : (byte)0);
            w.WriteUInt8(0);
            w.WriteUInt16(checked((ushort)p.EncodedLength));
            w.WriteBytes(p.Body);
        }
        return buffer;
    }

    /// <summary>Encodes; with a cipher the payloads are encrypted and the E flag set.</summary>
    public byte[] Encode(Phase1Cipher? cipher = null)
    {
        var body = EncodePayloads(Payloads);
        if (cipher is not null)
        {
            Flags |= IsakmpFlags.Encryption;
            body = cipher.Encrypt(MessageId, body);
        }
        var bytes = new byte[HeaderLength + body.Length];
        var w = new IkeWriter(bytes);
        w.WriteUInt64(InitiatorCookie);
        w.WriteUInt64(ResponderCookie);
        w.WriteUInt8(Payloads.Count > 0 ? (byte)Payloads[0].Type : (byte)0);
        w.WriteUInt8(Version);
        w.WriteUInt8((byte)Exchange);
        w.WriteUInt8((byte)Flags);
        w.WriteUInt32(MessageId);
        w.WriteUInt32((uint)bytes.Length);
        w.WriteBytes(body);
        return bytes;
    }

    /// <summary>True for a datagram whose header says ISAKMP version 1.0 (the engine's dispatch between IKEv1 and IKEv2).</summary>
    public static bool IsVersion1(ReadOnlySpan<byte> datagram) => datagram.Length >= HeaderLength && datagram[17] == Version;

    /// <summary>Reads the header only (cookies, exchange, flags, message ID), checking the length field.</summary>
    public static bool TryDecodeHeader(ReadOnlySpan<byte> datagram, out IsakmpMessage header, out string error)
    {
        header = new IsakmpMessage();
        error = "";
        if (datagram.Length < HeaderLength) { error = $"{datagram.Length} bytes is shorter than an ISAKMP header"; return false; }
        if (datagram[17] >> 4 != 1) { error = $"version {datagram[17] >> 4}.{datagram[17] & 15}"; return false; }
        uint length = BinaryPrimitives.ReadUInt32BigEndian(datagram[24..]);
        if (length < HeaderLength || length > datagram.Length) { error = $"length field {length} for a {datagram.Length}-byte datagram"; return false; }
        header.InitiatorCookie = BinaryPrimitives.ReadUInt64BigEndian(datagram);
        header.ResponderCookie = BinaryPrimitives.ReadUInt64BigEndian(datagram[8..]);
        header.Exchange = (IsakmpExchange)datagram[18];
        header.Flags = (IsakmpFlags)datagram[19];
        header.MessageId = BinaryPrimitives.ReadUInt32BigEndian(datagram[20..]);
        if (header.InitiatorCookie == 0) { error = "initiator cookie is zero"; return false; }
        return true;
    }

    /// <summary>
    /// Decodes a whole message. An encrypted one needs the cipher; its CBC chain advances only on success.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> datagram, Phase1Cipher? cipher, out IsakmpMessage message, out string error)
    {
        if (!TryDecodeHeader(datagram, out message, out error)) return false;
        int length = (int)BinaryPrimitives.ReadUInt32BigEndian(datagram[24..]);
        var body = datagram[HeaderLength..length];
        byte first = datagram[16];
        byte[]? plain = null;
        if (message.WasEncrypted)
        {
            if (cipher is null) { error = "encrypted message without keys"; return false; }
            plain = cipher.Decrypt(message.MessageId, body);
            if (plain is null) { error = $"encrypted body of {body.Length} bytes is not a whole number of {cipher.BlockSize}-byte blocks"; return false; }
            body = plain;
        }
        if (!TryDecodePayloads(body, first, message.Payloads, out error, trailingAllowed: message.WasEncrypted)) return false;
        if (message.WasEncrypted) cipher!.Ivs.Advance(message.MessageId, datagram[HeaderLength..length]);
        return true;
    }

    /// <summary>Walks a payload chain; an encrypted body may carry padding after the last payload.</summary>
    public static bool TryDecodePayloads(ReadOnlySpan<byte> body, byte first, List<IsakmpPayload> into, out string error, bool trailingAllowed)
    {
        error = "";
        var r = new IkeReader(body);
        byte next = first;
        while (next != 0)
        {
            if (into.Count >= 64) { error = "more than 64 payloads"; return false; }
            if (!r.TryReadUInt8(out byte following) || !r.TrySkip(1) || !r.TryReadUInt16(out ushort plength))
            {
                error = $"truncated generic header of payload {next}";
                return false;
            }
            if (plength < 4 || !r.TryReadBytes(plength - 4, out var content))
            {
                error = $"payload {next} claims {plength} bytes, {r.Remaining + 4} left";
                return false;
            }
            into.Add(new IsakmpPayload((IsakmpPayloadType)next, content.ToArray()));
            next = following;
        }
        if (!r.End && !trailingAllowed) { error = $"{r.Remaining} bytes after the last payload"; return false; }
        return true;
    }

    /// <summary>strongSwan's log summary: "ID_PROT request 0 [ SA V V V ]".</summary>
    public override string ToString() =>
        $"{ExchangeName(Exchange)} {MessageId} [ {string.Join(' ', Payloads.Select(p => p.ToString()))} ]";

    public static string ExchangeName(IsakmpExchange e) => e switch
    {
        IsakmpExchange.IdentityProtection => "ID_PROT",
        IsakmpExchange.Aggressive => "AGGRESSIVE",
        IsakmpExchange.Informational => "INFORMATIONAL_V1",
        IsakmpExchange.Transaction => "TRANSACTION",
        IsakmpExchange.QuickMode => "QUICK_MODE",
        _ => ((byte)e).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

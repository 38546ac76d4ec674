using System.Buffers.Binary;

namespace Petrel.Ike.Eap;

//  RFC 5216 §3.1 EAP-TLS Type-Data
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     Flags     |      TLS Message Length (4, only with L)
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     TLS Data...
//  Flags: L (0x80) length included, M (0x40) more fragments, S (0x20) EAP-TLS start.
//  §2.1.5: every fragment but the last has M; the receiver acknowledges each with an empty EAP-TLS packet.

/// <summary>
/// Cuts outgoing TLS bytes into EAP-TLS fragments (L on the first of several, M on all but the last, as strongSwan
/// does) and reassembles incoming ones, bounded in size and count so a peer cannot make us hold unbounded data.
/// </summary>
internal sealed class EapTlsFraming(int maxDataPerPacket)
{
    public const byte FlagLength = 0x80, FlagMore = 0x40, FlagStart = 0x20;

    /// <summary>strongSwan's bound: 4 × (TLS max fragment + 2048).</summary>
    public const int MaxMessage = 4 * (16384 + 2048);

    private readonly MemoryStream _incoming = new();
    private int _expected = -1;
    private byte[] _outgoing = [];
    private int _sent;

    /// <summary>Whether fragments of what we send are still waiting for the peer's acknowledgements.</summary>
    public bool Sending => _sent < _outgoing.Length;

    public void Queue(byte[] tls)
    {
        _outgoing = tls;
        _sent = 0;
    }

    /// <summary>Type-Data of the next fragment of the queued message.</summary>
    public byte[] NextFragment()
    {
        int remaining = _outgoing.Length - _sent;
        bool first = _sent == 0;
        bool more = remaining > maxDataPerPacket - (first ? 4 : 0);
        bool withLength = first && more;
        int take = Math.Min(remaining, maxDataPerPacket - (withLength ? 4 : 0));
        var data = new byte[1 + (withLength ? 4 : 0) + take];
        data[0] = (byte)((withLength ? FlagLength : 0) | (more ? FlagMore : 0));
        if (withLength)
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(1), (uint)_outgoing.Length);
        _outgoing.AsSpan(_sent, take).CopyTo(data.AsSpan(withLength ? 5 : 1));
        _sent += take;
        return data;
    }

    /// <summary>An empty EAP-TLS packet: flags 0, no data (acknowledges a fragment, or says "nothing to add").</summary>
    public static byte[] Ack() => [0];

    public static bool IsAck(ReadOnlySpan<byte> typeData) => typeData.Length == 1 && (typeData[0] & (FlagStart | FlagMore | FlagLength)) == 0;

    /// <summary>
    /// Adds one received fragment. Returns the whole TLS message when it is complete, null when more fragments
    /// follow (the caller acknowledges), or sets <paramref name="error"/>.
    /// </summary>
    public byte[]? Receive(ReadOnlySpan<byte> typeData, out string error)
    {
        error = "";
        if (typeData.Length < 1) { error = "EAP-TLS packet without flags"; return null; }
        byte flags = typeData[0];
        var data = typeData[1..];
        if ((flags & FlagLength) != 0)
        {
            if (data.Length < 4) { error = "EAP-TLS packet with L flag but no length"; return null; }
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data);
            data = data[4..];
            if (length > MaxMessage || length < data.Length) { error = $"EAP-TLS message length {length} is invalid"; return null; }
            if (_incoming.Length == 0) _expected = (int)length;
        }
        if (_incoming.Length + data.Length > MaxMessage || (_expected >= 0 && _incoming.Length + data.Length > _expected))
        {
            error = "EAP-TLS fragments exceed the announced or allowed message length";
            return null;
        }
        _incoming.Write(data);
        if ((flags & FlagMore) != 0) return null;
        var message = _incoming.ToArray();
        _incoming.SetLength(0);
        _expected = -1;
        return message;
    }
}

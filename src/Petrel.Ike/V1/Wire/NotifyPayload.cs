using System.Buffers.Binary;

namespace Petrel.Ike.V1.Wire;

/// <summary>The Notification payload body (RFC 2408 §3.14): DOI, protocol, SPI size, type, SPI, data.</summary>
public sealed record V1Notify(IsakmpNotify Type, byte Protocol, byte[] Spi, byte[] Data)
{
    public V1Notify(IsakmpNotify type, byte[]? data = null) : this(type, V1Protocol.Isakmp, [], data ?? []) { }

    public bool IsError => (ushort)Type < 16384;

    public byte[] Encode()
    {
        var body = new byte[8 + Spi.Length + Data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(body, SaPayload.DoiIpsec);
        body[4] = Protocol;
        body[5] = (byte)Spi.Length;
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(6), (ushort)Type);
        Spi.CopyTo(body, 8);
        Data.CopyTo(body, 8 + Spi.Length);
        return body;
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, out V1Notify? notify)
    {
        notify = null;
        if (body.Length < 8 || body.Length < 8 + body[5]) return false;
        int spi = body[5];
        notify = new V1Notify((IsakmpNotify)BinaryPrimitives.ReadUInt16BigEndian(body[6..]), body[4], body.Slice(8, spi).ToArray(), body[(8 + spi)..].ToArray());
        return true;
    }

    public static string Name(IsakmpNotify type) => type switch
    {
        IsakmpNotify.NoProposalChosen => "NO_PROPOSAL_CHOSEN",
        IsakmpNotify.InvalidIdInformation => "INVALID_ID_INFORMATION",
        IsakmpNotify.AuthenticationFailed => "AUTHENTICATION_FAILED",
        IsakmpNotify.InvalidHashInformation => "INVALID_HASH_INFORMATION",
        IsakmpNotify.PayloadMalformed => "PAYLOAD_MALFORMED",
        IsakmpNotify.InvalidPayloadType => "INVALID_PAYLOAD_TYPE",
        IsakmpNotify.InvalidKeyInformation => "INVALID_KEY_INFORMATION",
        IsakmpNotify.InitialContact => "INITIAL_CONTACT",
        IsakmpNotify.ResponderLifetime => "RESPONDER_LIFETIME",
        IsakmpNotify.RUThere => "DPD_R_U_THERE",
        IsakmpNotify.RUThereAck => "DPD_R_U_THERE_ACK",
        IsakmpNotify.Connected => "CONNECTED",
        _ => ((ushort)type).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>The Delete payload body (RFC 2408 §3.15): DOI, protocol, SPI size, count, SPIs.</summary>
public sealed record V1Delete(byte Protocol, IReadOnlyList<byte[]> Spis)
{
    public byte[] Encode()
    {
        int size = Spis.Count > 0 ? Spis[0].Length : 0;
        var body = new byte[8 + size * Spis.Count];
        BinaryPrimitives.WriteUInt32BigEndian(body, SaPayload.DoiIpsec);
        body[4] = Protocol;
        body[5] = (byte)size;
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(6), (ushort)Spis.Count);
        for (int i = 0; i < Spis.Count; i++) Spis[i].CopyTo(body, 8 + i * size);
        return body;
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, out V1Delete? delete)
    {
        delete = null;
        if (body.Length < 8) return false;
        int size = body[5], count = BinaryPrimitives.ReadUInt16BigEndian(body[6..]);
        if (body.Length < 8 + size * count) return false;
        var spis = new List<byte[]>(count);
        for (int i = 0; i < count; i++) spis.Add(body.Slice(8 + i * size, size).ToArray());
        delete = new V1Delete(body[4], spis);
        return true;
    }
}

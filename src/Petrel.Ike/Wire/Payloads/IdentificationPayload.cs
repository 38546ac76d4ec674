namespace Petrel.Ike.Wire;

//  RFC 7296 §3.5 Identification Payloads (IDi = 35, IDr = 36)
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Payload  |C|  RESERVED   |         Payload Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |   ID Type     |                 RESERVED                      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                   Identification Data                         ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// <summary>
/// IDi / IDr (RFC 7296 §3.5). The body (ID Type, RESERVED, data) is IDx' in the AUTH computation
/// (§2.15), so the reserved bytes are kept as received.
/// </summary>
public sealed class IdentificationPayload : IkePayload
{
    private readonly PayloadType _type;
    private readonly byte[] _reserved;

    public IdentificationPayload(bool initiator, IdType idType, ReadOnlyMemory<byte> data)
        : this(initiator ? PayloadType.IdentificationInitiator : PayloadType.IdentificationResponder, idType, data, new byte[3])
    {
    }

    public IdentificationPayload(bool initiator, Identity identity)
        : this(initiator, identity.Type, identity.Data)
    {
    }

    private IdentificationPayload(PayloadType type, IdType idType, ReadOnlyMemory<byte> data, byte[] reserved)
    {
        _type = type;
        IdType = idType;
        Data = data;
        _reserved = reserved;
    }

    public override PayloadType Type => _type;
    public bool IsInitiator => _type == PayloadType.IdentificationInitiator;
    public IdType IdType { get; }
    public ReadOnlyMemory<byte> Data { get; }

    public Identity Identity => new(IdType, Data.ToArray());

    public override int BodyLength => 4 + Data.Length;

    public override void WriteBody(Span<byte> destination)
    {
        destination[0] = (byte)IdType;
        _reserved.CopyTo(destination[1..4]);
        Data.Span.CopyTo(destination[4..]);
    }

    /// <summary>IDx' of RFC 7296 §2.15: the payload body without the generic header.</summary>
    public byte[] GetBody()
    {
        var body = new byte[BodyLength];
        WriteBody(body);
        return body;
    }

    public static bool TryDecode(PayloadType type, ReadOnlySpan<byte> body, out IdentificationPayload? payload, out string error)
    {
        if (body.Length < 4) { payload = null; error = $"{type} payload body of {body.Length} bytes is too short"; return false; }
        payload = new IdentificationPayload(type, (IdType)body[0], body[4..].ToArray(), body[1..4].ToArray());
        error = "";
        return true;
    }
}

using System.Buffers.Binary;

namespace Petrel.Ike.Wire;

//  RFC 7296 §3.10 Notify Payload
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Payload  |C|  RESERVED   |         Payload Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  Protocol ID  |   SPI Size    |      Notify Message Type      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                Security Parameter Index (SPI)                 ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                       Notification Data                       ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// <summary>
/// Notify (RFC 7296 §3.10). Protocol ID is 0 when no SPI applies (§3.10: "If the SPI field is empty,
/// this field MUST be sent as zero"); SPI is 4 bytes for ESP/AH (REKEY_SA, INVALID_SPI), empty otherwise.
/// </summary>
public sealed class NotifyPayload(NotifyType notifyType, ReadOnlyMemory<byte> data = default, byte protocolId = 0, ReadOnlyMemory<byte> spi = default) : IkePayload
{
    public override PayloadType Type => PayloadType.Notify;
    public NotifyType NotifyType { get; } = notifyType;
    public byte ProtocolId { get; } = protocolId;
    public ReadOnlyMemory<byte> Spi { get; } = spi;
    public ReadOnlyMemory<byte> Data { get; } = data;

    /// <summary>RFC 7296 §3.10.1: types below 16384 report errors.</summary>
    public bool IsError => (ushort)NotifyType < 16384;

    public override int BodyLength => 4 + Spi.Length + Data.Length;

    public override void WriteBody(Span<byte> destination)
    {
        destination[0] = ProtocolId;
        destination[1] = (byte)Spi.Length;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)NotifyType);
        Spi.Span.CopyTo(destination[4..]);
        Data.Span.CopyTo(destination[(4 + Spi.Length)..]);
    }

    /// <summary>INVALID_KE_PAYLOAD data is the accepted group (§3.10.1); false when absent or short.</summary>
    public bool TryGetGroup(out ushort group) => BinaryPrimitives.TryReadUInt16BigEndian(Data.Span, out group);

    public override string ToString() => $"N({NotifyType})";

    public static bool TryDecode(ReadOnlySpan<byte> body, out NotifyPayload? payload, out string error)
    {
        var r = new IkeReader(body);
        if (!r.TryReadUInt8(out byte protocol) || !r.TryReadUInt8(out byte spiSize) || !r.TryReadUInt16(out ushort type))
        {
            payload = null; error = $"Notify payload body of {body.Length} bytes is too short"; return false;
        }
        if (!r.TryReadBytes(spiSize, out var spi))
        {
            payload = null; error = $"Notify SPI size {spiSize} exceeds the payload"; return false;
        }
        payload = new NotifyPayload((NotifyType)type, r.ReadRest().ToArray(), protocol, spi.ToArray());
        error = "";
        return true;
    }
}

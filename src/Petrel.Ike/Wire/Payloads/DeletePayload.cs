using System.Buffers.Binary;
using Petrel.Crypto.Proposals;

namespace Petrel.Ike.Wire;

//  RFC 7296 §3.11 Delete Payload
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Payload  |C|  RESERVED   |         Payload Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Protocol ID   |   SPI Size    |          Num of SPIs          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~               Security Parameter Index(es) (SPI)              ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// <summary>
/// Delete (RFC 7296 §3.11). For the IKE SA the SPI size is 0 and there are no SPIs (the header carries them);
/// for ESP/AH the SPIs are the 4-byte inbound SPIs of the sender.
/// </summary>
public sealed class DeletePayload : IkePayload
{
    public DeletePayload(SecurityProtocol protocol, IReadOnlyList<uint> spis)
    {
        Protocol = protocol;
        Spis = spis;
    }

    /// <summary>Delete of the IKE SA carrying the message.</summary>
    public static DeletePayload ForIkeSa() => new(SecurityProtocol.Ike, []);

    public override PayloadType Type => PayloadType.Delete;
    public SecurityProtocol Protocol { get; }
    public IReadOnlyList<uint> Spis { get; }

    private int SpiSize => Protocol == SecurityProtocol.Ike ? 0 : 4;

    public override int BodyLength => 4 + SpiSize * Spis.Count;

    public override void WriteBody(Span<byte> destination)
    {
        var w = new IkeWriter(destination);
        w.WriteUInt8((byte)Protocol);
        w.WriteUInt8((byte)SpiSize);
        w.WriteUInt16((ushort)Spis.Count);
        if (SpiSize == 4)
            foreach (uint spi in Spis) w.WriteUInt32(spi);
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, out DeletePayload? payload, out string error)
    {
        payload = null;
        var r = new IkeReader(body);
        if (!r.TryReadUInt8(out byte protocol) || !r.TryReadUInt8(out byte spiSize) || !r.TryReadUInt16(out ushort count))
        {
            error = $"Delete payload body of {body.Length} bytes is too short"; return false;
        }
        int expectedSize = (SecurityProtocol)protocol switch
        {
            SecurityProtocol.Ike => 0,
            SecurityProtocol.Esp or SecurityProtocol.Ah => 4,
            _ => -1,
        };
        if (expectedSize < 0) { error = $"Delete payload for unknown protocol {protocol}"; return false; }
        // §3.11: SPI size is zero for IKE (and then Num of SPIs is zero), four for ESP/AH.
        if (spiSize != expectedSize) { error = $"Delete payload for {(SecurityProtocol)protocol} with SPI size {spiSize}"; return false; }
        if (expectedSize == 0 && count != 0) { error = "Delete payload for IKE lists SPIs"; return false; }
        if (r.Remaining != expectedSize * count) { error = $"Delete payload lists {count} SPIs but carries {r.Remaining} bytes"; return false; }
        var spis = new uint[count];
        for (int i = 0; i < count; i++)
            r.TryReadUInt32(out spis[i]);
        payload = new DeletePayload((SecurityProtocol)protocol, spis);
        error = "";
        return true;
    }
}

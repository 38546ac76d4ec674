using System.Net;

namespace Petrel.Ike.Tests.Ike;

/// <summary>One datagram in flight on the in-memory network.</summary>
internal sealed class Datagram(IPEndPoint source, IPEndPoint destination, byte[] data)
{
    public IPEndPoint Source { get; set; } = source;
    public IPEndPoint Destination { get; set; } = destination;
    public byte[] Data { get; set; } = data;

    /// <summary>IKE exchange type (octet 18 of the header), 0 for keepalives and garbage.</summary>
    public byte ExchangeType => Data.Length >= 28 ? Data[18] : (byte)0;

    /// <summary>True for a response (the R flag, 0x20 in octet 19).</summary>
    public bool IsResponse => Data.Length >= 28 && (Data[19] & 0x20) != 0;

    public uint MessageId => Data.Length >= 28 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(Data.AsSpan(20)) : 0;

    public override string ToString() => $"{Source} -> {Destination} exch {ExchangeType} {(IsResponse ? "resp" : "req")} mid {MessageId} ({Data.Length} B)";
}

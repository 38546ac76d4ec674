namespace Petrel.Ike.Wire;

/// <summary>
/// A payload whose type Petrel does not implement, kept with its body. RFC 7296 §2.5: if
/// <see cref="IkePayload.Critical"/> is set the whole message is rejected with
/// UNSUPPORTED_CRITICAL_PAYLOAD (notification data = the payload type); otherwise it is skipped.
/// </summary>
public sealed class UnknownPayload(PayloadType type, ReadOnlyMemory<byte> body) : IkePayload
{
    private readonly PayloadType _type = type;

    public override PayloadType Type => _type;
    public ReadOnlyMemory<byte> Body { get; } = body;
    public override int BodyLength => Body.Length;
    public override void WriteBody(Span<byte> destination) => Body.Span.CopyTo(destination);
}

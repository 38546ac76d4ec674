namespace Petrel.Ike.V1.Wire;

/// <summary>
/// One ISAKMP payload as it travels: its type and its body (everything after the 4-byte generic header).
/// The typed views (<see cref="SaPayload"/>, <see cref="IdPayload"/>, …) read and build bodies; keeping the
/// raw body is what IKEv1's hashes need (SAi_b, IDii_b, and Quick Mode's "rest of the message").
/// </summary>
public sealed record IsakmpPayload(IsakmpPayloadType Type, byte[] Body)
{
    /// <summary>Generic header plus body.</summary>
    public int EncodedLength => 4 + Body.Length;

    public override string ToString() => PayloadNames.Short(Type);
}

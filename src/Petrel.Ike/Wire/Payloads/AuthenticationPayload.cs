namespace Petrel.Ike.Wire;

//  RFC 7296 §3.8 Authentication Payload
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Payload  |C|  RESERVED   |         Payload Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Auth Method   |                RESERVED                       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                      Authentication Data                      ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// <summary>AUTH (RFC 7296 §3.8). For method 14 (RFC 7427) the data starts with the AlgorithmIdentifier.</summary>
public sealed class AuthenticationPayload(AuthMethod method, ReadOnlyMemory<byte> data) : IkePayload
{
    public override PayloadType Type => PayloadType.Authentication;
    public AuthMethod Method { get; } = method;
    public ReadOnlyMemory<byte> Data { get; } = data;
    public override int BodyLength => 4 + Data.Length;

    public override void WriteBody(Span<byte> destination)
    {
        destination[0] = (byte)Method;
        destination.Slice(1, 3).Clear();
        Data.Span.CopyTo(destination[4..]);
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, out AuthenticationPayload? payload, out string error)
    {
        if (body.Length < 4) { payload = null; error = $"AUTH payload body of {body.Length} bytes is too short"; return false; }
        payload = new AuthenticationPayload((AuthMethod)body[0], body[4..].ToArray());
        error = "";
        return true;
    }
}

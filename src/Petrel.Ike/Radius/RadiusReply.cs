namespace Petrel.Ike.Radius;

/// <summary>
/// A verified answer: the response, the server that sent it and the Request Authenticator of the request it
/// answers (MPPE keys are encrypted with it). Null Response: every server timed out (<see cref="Error"/> says so).
/// </summary>
public sealed record RadiusReply(RadiusPacket? Response, RadiusServer? Server, byte[] RequestAuthenticator, string Error)
{
    public bool TimedOut => Response is null;
}

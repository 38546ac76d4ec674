namespace Petrel.Ike.Radius;

/// <summary>RADIUS packet codes (RFC 2865 §3, RFC 2866 §3, RFC 5176 §3 Dynamic Authorization).</summary>
public enum RadiusCode : byte
{
    AccessRequest = 1,
    AccessAccept = 2,
    AccessReject = 3,
    AccountingRequest = 4,
    AccountingResponse = 5,
    AccessChallenge = 11,
    DisconnectRequest = 40,
    DisconnectAck = 41,
    DisconnectNak = 42,
    CoaRequest = 43,
    CoaAck = 44,
    CoaNak = 45,
}

namespace Petrel.Ike.Radius;

/// <summary>RADIUS packet codes (RFC 2865 §3, RFC 2866 §3).</summary>
public enum RadiusCode : byte
{
    AccessRequest = 1,
    AccessAccept = 2,
    AccessReject = 3,
    AccountingRequest = 4,
    AccountingResponse = 5,
    AccessChallenge = 11,
}

namespace Petrel.Ike.Engine;

/// <summary>
/// One authentication round of an IKE SA as list-sas shows it (swanctl.conf's local-N / remote-N, RFC 4739):
/// whose it is, the round's number (1 based), its method, the IKE identity used and, for EAP, the EAP identity.
/// </summary>
public sealed record AuthRoundInfo(bool Local, int Round, string Auth, string Identity, string EapIdentity = "");

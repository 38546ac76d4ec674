namespace Petrel.Tests.Harness;

/// <summary>
/// Certificate authentication for <see cref="LabConfig"/>: the own certificate (a file in the peer's x509/),
/// optional local and remote identities (written quoted, so DNs keep their commas), the CAs the remote must
/// chain to (files in x509ca/, all loaded CAs when empty), the passphrase of an encrypted key in private/, and
/// remote.revocation (strict, ifuri, relaxed; unset = relaxed).
/// </summary>
public sealed record LabAuth(
    string LocalCert,
    string? LocalId = null,
    string? RemoteId = null,
    IReadOnlyList<string>? RemoteCaCerts = null,
    string? KeyFile = null,
    string? KeyPassword = null,
    string? Revocation = null);

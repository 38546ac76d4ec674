namespace Petrel.Config;

/// <summary>
/// One authorities.NAME section, stored as written: certificate authorities are a later issue,
/// so the keys are checked against what strongSwan knows and kept for then.
/// </summary>
public sealed record AuthorityConfig(string Name, IReadOnlyDictionary<string, string> Settings, string Source);

namespace Petrel.Config;

/// <summary>
/// Authentication rounds as swanctl.conf writes them (swanctl.conf(5) connections.&lt;conn&gt;.local&lt;suffix&gt; /
/// remote&lt;suffix&gt;): every section whose name starts with "local" or "remote", in file order, so "local-psk"
/// then "local-xauth" are rounds 1 and 2. IKEv2 runs any number of rounds (RFC 4739); IKEv1 one round per side, plus a
/// second round with auth = xauth (XAuth after Main Mode, strongSwan's xauth-psk setup) on one side.
/// </summary>
internal static class AuthRounds
{
    public static List<SettingsSection> Of(SettingsSection connection, string side) =>
        connection.Sections.Where(s => s.Name.StartsWith(side, StringComparison.Ordinal) && (s.Name.Length == side.Length || s.Name[side.Length] != '_')).ToList();

    public static void Check(SettingsSection connection, int version, List<SettingsSection> local, List<SettingsSection> remote)
    {
        foreach (var (side, rounds) in new[] { ("local", local), ("remote", remote) })
        {
            if (rounds.Count > 0 && IsXAuth(rounds[0]) is { } first)
                throw SettingValues.Error(first, rounds[0].Path, version == 1
                    ? "XAuth as the first round (hybrid authentication) is not built: authenticate the first round with auth = psk and add a second round with auth = xauth"
                    : "XAuth is IKEv1: set version = 1 and authenticate the first round with auth = psk");
            if (rounds.Count < 2) continue;
            if (version != 1)
            {
                // IKEv2 (RFC 4739): any number of rounds; XAuth is IKEv1's.
                foreach (var r in rounds)
                    if (IsXAuth(r) is { } xauth)
                        throw SettingValues.Error(xauth, r.Path, "XAuth is IKEv1: set version = 1 (with IKEv2, a later round authenticates with eap-… , psk or pubkey)");
                continue;
            }
            var second = rounds[1];
            if (version != 1 || IsXAuth(second) is null)
                throw new ConfigException(second.File, second.Line, version == 1
                    ? $"section '{second.Name}' in {connection.Path}: a second IKEv1 round must be auth = xauth (XAuth); other second rounds are not supported by Petrel yet"
                    : $"section '{second.Name}' in {connection.Path}: multiple authentication rounds are not supported by Petrel yet");
            if (rounds.Count > 2)
                throw new ConfigException(rounds[2].File, rounds[2].Line, $"section '{rounds[2].Name}' in {connection.Path}: IKEv1 has at most two rounds (Main Mode, then XAuth)");
        }
        if (version == 1 && local.Count > 1 && remote.Count > 1)
            throw new ConfigException(remote[1].File, remote[1].Line, $"section '{remote[1].Name}' in {connection.Path}: XAuth on both sides is not supported: one side is the XAuth client (local-N), the other the server (remote-N)");
    }

    private static SettingsEntry? IsXAuth(SettingsSection round) =>
        round.FindEntry("auth") is { } auth && auth.Value.Trim().StartsWith("xauth", StringComparison.OrdinalIgnoreCase) ? auth : null;
}

using Microsoft.Extensions.Logging;
using Petrel.Crypto.Proposals;
using Petrel.DataPlane.Policy;
using Petrel.Ike.Config;

namespace Petrel.Config;

/// <summary>
/// Maps a parsed swanctl.conf (swanctl.conf(5), strongSwan 5.9) to Petrel's configuration model
/// and validates it. Every key is known: what Petrel implements is mapped, what strongSwan has
/// but Petrel does not implement yet is rejected as such, and anything else is an unknown key
/// with a suggestion. Every error names the file, line and key.
/// </summary>
public static class SwanctlLoader
{
    private static readonly string[] TopSections = ["connections", "secrets", "authorities", "petrel", "pools"];
    private static readonly string[] TopUnsupported = [];

    private static readonly string[] ConnectionKeys =
    [
        "version", "local_addrs", "remote_addrs", "local_port", "remote_port", "proposals", "encap",
        "dpd_delay", "dpd_timeout", "rekey_time", "reauth_time", "over_time", "rand_time", "aggressive",
        "fragmentation", "mobike", "unique", "pools", "vips", "pull",
    ];

    private static readonly string[] ConnectionUnsupported =
    [
        "dscp", "send_certreq", "send_cert", "ppk_id", "ppk_required", "keyingtries",
        "if_id_in", "if_id_out", "mediation", "mediated_by", "mediation_peer", "childless", "ocsp", "sha256_96",
    ];

    private static readonly string[] ConnectionSections = ["local", "remote", "children"];

    private static readonly string[] AuthUnsupported =
    [
        "pubkeys", "aaa_id", "groups", "cert_policy", "ca_id",
        "cert", "cacert",
    ];

    private static readonly string[] ChildKeys =
    [
        "local_ts", "remote_ts", "esp_proposals", "ah_proposals", "mode", "start_action", "dpd_action",
        "close_action", "rekey_time", "life_time", "rand_time", "rekey_bytes", "life_bytes", "rand_bytes",
        "rekey_packets", "life_packets", "rand_packets", "replay_window", "ipcomp", "tfc_padding", "if_id_in", "if_id_out",
    ];

    private static readonly string[] ChildUnsupported =
    [
        "updown", "hostaccess", "policies", "policies_fwd_out", "set_mark_in", "set_mark_out", "mark_in",
        "mark_in_sa", "mark_out", "label", "label_mode", "priority",
        "interface", "sha256_96", "copy_df", "copy_ecn", "copy_dscp", "inactivity", "reqid", "hw_offload",
        "per_cpu_sas", "sec_label",
    ];

    private static readonly string[] SecretKinds = ["ike", "eap", "xauth", "ntlm"];
    /// <summary>Passphrases of encrypted private keys: secrets.private-NAME { file, secret } and the rsa-/ecdsa-/pkcs8- forms.</summary>
    private static readonly string[] KeySecretKinds = ["private", "rsa", "ecdsa", "pkcs8"];
    private static readonly string[] SecretUnsupported = ["ppk", "pkcs12", "token"];

    private static readonly string[] AuthorityKeys = ["cacert", "file", "crl_uris", "ocsp_uris", "cert_uri_base"];
    private static readonly string[] AuthorityUnsupported = ["handle", "slot", "module"];

    private static readonly string[] PetrelKeys = ["socket", "ike_port", "natt_port", "tun_name", "log_level", "dashboard", "tun_mtu", "path_mtu", "mss_clamp",
        "retransmit_timeout", "retransmit_base", "retransmit_tries", "fragment_size", "fetch_timeout", "cookie_threshold", "block_threshold", "init_limit_half_open", "max_packet", "packet_threads", "packet_nice", "log_format", "vici", "dashboard_token",
        "export_keys", "socket_group", "user"];

    /// <summary>Reads and validates a swanctl.conf file. Throws <see cref="ConfigException"/>.</summary>
    public static SwanctlConfig Load(string path) =>
        Map(SettingsParser.ParseFile(path), path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");

    /// <summary>Validates text as if it were the file <paramref name="file"/>.</summary>
    public static SwanctlConfig LoadText(string text, string file = "swanctl.conf", string? directory = null) =>
        Map(SettingsParser.ParseText(text, file, directory), file, directory ?? Directory.GetCurrentDirectory());

    /// <param name="directory">
    /// The main config file's directory: relative certificate names resolve against its x509/ and
    /// x509ca/ subdirectories, as swanctl does.
    /// </param>
    public static SwanctlConfig Map(SettingsSection root, string path, string directory)
    {
        RejectKeys(root, []);
        CheckSections(root, TopSections, TopUnsupported);

        var pools = root.FindSection("pools") is { } poolSection ? PoolLoader.Map(poolSection) : [];
        var poolNames = pools.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        var connections = new List<ConnectionConfig>();
        if (root.FindSection("connections") is { } conns)
        {
            RejectKeys(conns, [], "a connection must be a section: NAME { … }");
            foreach (var c in conns.Sections)
                connections.Add(MapConnection(c, directory, poolNames));
        }

        var secrets = new List<SharedSecret>();
        if (root.FindSection("secrets") is { } secs)
        {
            RejectKeys(secs, [], "a secret must be a section: ike-NAME { … }");
            foreach (var s in secs.Sections)
                secrets.Add(MapSecret(s));
        }

        var authorities = new List<AuthorityConfig>();
        if (root.FindSection("authorities") is { } auths)
        {
            RejectKeys(auths, [], "an authority must be a section: NAME { … }");
            foreach (var a in auths.Sections)
                authorities.Add(MapAuthority(a, directory));
        }

        var petrel = root.FindSection("petrel");
        var daemon = petrel is { } p ? MapDaemon(p) : new DaemonSettings();
        RadiusLoader.RequireServers(root.FindSection("connections"), daemon.Radius);
        var ids = connections.SelectMany(c => c.Children).SelectMany(ch => new[] { ch.InterfaceIdOut, ch.InterfaceIdIn }).ToList();
        daemon = daemon with
        {
            VirtualInterfaces = VirtualInterfaceSet.For(ids, InterfaceNames.Read(petrel?.FindSection("interfaces"), daemon.TunName, ids)),
        };
        return new SwanctlConfig(connections, secrets, authorities, daemon, path) { Pools = pools };
    }

    /// <summary>
    /// One connections.NAME section built outside a file (vici's load-conn), through the same checks and
    /// refusals as a file's. Throws <see cref="ConfigException"/>.
    /// </summary>
    public static ConnectionConfig MapConnectionSection(SettingsSection connection, string directory, IReadOnlyCollection<string>? poolNames = null) =>
        MapConnection(connection, directory, poolNames ?? []);

    private static ConnectionConfig MapConnection(SettingsSection s, string directory, IReadOnlyCollection<string> poolNames)
    {
        CheckKeys(s, ConnectionKeys, ConnectionUnsupported);
        // strongSwan's authentication rounds: local<suffix> / remote<suffix> sections in file order (local-psk, local-xauth …).
        var localSections = AuthRounds.Of(s, "local");
        var remoteSections = AuthRounds.Of(s, "remote");
        CheckSections(s, [.. ConnectionSections, .. localSections.Select(r => r.Name), .. remoteSections.Select(r => r.Name)], []);
        string where = s.Path;

        int version = 2;
        var localAddrs = new List<string>();
        var remoteAddrs = new List<string>();
        int localPort = 500, remotePort = 500;
        IReadOnlyList<Proposal>? proposals = null;
        // strongSwan defaults mobike to yes; Petrel does not offer MOBIKE, so the model says what happens.
        bool encap = false, aggressive = false, mobike = false, pull = true;
        // SPEC.md's defaults: dpd_delay 30 s, dpd_timeout 150 s (IKEv1 only).
        TimeSpan dpdDelay = TimeSpan.FromSeconds(30), dpdTimeout = TimeSpan.FromSeconds(150), rekeyTime = TimeSpan.FromHours(3), reauthTime = TimeSpan.Zero;
        TimeSpan? overTime = null, randTime = null;
        string fragmentation = "yes", unique = "no";
        List<string> pools = [];
        List<System.Net.IPAddress> vips = [];

        foreach (var e in s.Entries)
        {
            switch (e.Key)
            {
                case "version":
                    version = SettingValues.Integer(e, where, 0, 2);
                    UnbuiltFeatures.RefuseIkeV1Parts(s, version);
                    break;
                case "local_addrs": localAddrs = SettingValues.Addresses(e, where); break;
                case "remote_addrs": remoteAddrs = SettingValues.Addresses(e, where); break;
                case "local_port": localPort = SettingValues.Integer(e, where, 1, 65535); break;
                case "remote_port": remotePort = SettingValues.Integer(e, where, 1, 65535); break;
                case "proposals": proposals = Proposals(e, where, SecurityProtocol.Ike); break;
                case "encap": encap = SettingValues.Bool(e, where); break;
                case "dpd_delay": dpdDelay = SettingValues.Time(e, where); break;
                case "dpd_timeout": dpdTimeout = SettingValues.Time(e, where); break;
                case "rekey_time": rekeyTime = SettingValues.Time(e, where); break;
                case "reauth_time": reauthTime = SettingValues.Time(e, where); break;
                case "over_time": overTime = SettingValues.Time(e, where); break;
                case "rand_time": randTime = SettingValues.Time(e, where); break;
                case "aggressive": aggressive = SettingValues.Bool(e, where); break;
                case "fragmentation": fragmentation = SettingValues.OneOf(e, where, "yes", "accept", "force", "no"); break;
                case "mobike":
                    mobike = SettingValues.Bool(e, where);
                    UnbuiltFeatures.RefuseMobike(e, where, mobike);
                    break;
                case "unique": unique = SettingValues.OneOf(e, where, "no", "never", "replace", "keep"); break;
                case "pools": pools = PoolLoader.ConnectionPools(e, where, poolNames); break;
                case "vips": vips = PoolLoader.Vips(e, where); break;
                case "pull": pull = SettingValues.Bool(e, where); break;
            }
        }
        AuthRounds.Check(s, version, localSections, remoteSections);
        var localRounds = MapRounds(localSections, "local", directory);
        var remoteRounds = MapRounds(remoteSections, "remote", directory);
        // IKEv1: the second round is XAuth (its own fields); the rounds IKEv2 runs are the first only.
        var xauthLocal = version == 1 && localRounds.Count > 1 ? localRounds[1] : null;
        var xauthRemote = version == 1 && remoteRounds.Count > 1 ? remoteRounds[1] : null;
        if (version == 1)
        {
            localRounds = [localRounds[0]];
            remoteRounds = [remoteRounds[0]];
        }

        var children = new List<ChildConfig>();
        if (s.FindSection("children") is { } ch)
        {
            RejectKeys(ch, [], "a child must be a section: NAME { … }");
            foreach (var c in ch.Sections)
                children.Add(MapChild(c));
        }

        return new ConnectionConfig
        {
            Name = s.Name,
            Version = version,
            LocalAddrs = localAddrs,
            RemoteAddrs = remoteAddrs,
            LocalPort = localPort,
            RemotePort = remotePort,
            Proposals = proposals ?? DefaultProposals(SecurityProtocol.Ike),
            Encap = encap,
            DpdDelay = dpdDelay,
            DpdTimeout = dpdTimeout,
            RekeyTime = rekeyTime,
            ReauthTime = reauthTime,
            OverTime = overTime,
            RandTime = randTime,
            Aggressive = aggressive,
            Fragmentation = fragmentation,
            Mobike = mobike,
            Unique = unique,
            Pools = pools,
            Vips = vips,
            Local = localRounds[0],
            Remote = remoteRounds[0],
            LocalRounds = localRounds,
            RemoteRounds = remoteRounds,
            XAuthLocal = xauthLocal,
            XAuthRemote = xauthRemote,
            ModeConfigPull = pull,
            Children = children,
            Source = $"{s.File}:{s.Line}",
        };
    }

    /// <summary>
    /// The authentication rounds of one side (swanctl.conf(5) connections.NAME.local&lt;suffix&gt;, found by
    /// <see cref="AuthRounds.Of"/>): sorted by their <c>round</c> key, else kept in the order they are written. No section
    /// means one round with the defaults.
    /// </summary>
    private static List<AuthConfig> MapRounds(List<SettingsSection> sections, string side, string directory)
    {
        var rounds = new List<(int Round, int Index, AuthConfig Auth)>();
        foreach (var sub in sections)
        {
            var auth = MapAuth(sub, side == "local", directory, out int round);
            rounds.Add((round, rounds.Count, auth));
        }
        if (rounds.Count == 0)
            return [new AuthConfig { Section = side }];
        return [.. rounds.OrderBy(r => r.Round).ThenBy(r => r.Index).Select(r => r.Auth)];
    }

    private static AuthConfig MapAuth(SettingsSection s, bool isLocal, string directory, out int round)
    {
        // swanctl.conf(5): local.certs are our certificates, remote.certs pin the peer's, remote.cacerts limit the CAs.
        string[] known = isLocal ? ["auth", "id", "certs", "eap_id", "xauth_id", "round"] : ["auth", "id", "certs", "cacerts", "revocation", "eap_id", "xauth_id", "round"];
        CheckKeys(s, known, AuthUnsupported);
        CheckSections(s, [], []);
        string auth = "pubkey";
        string? id = null, eapId = null, xauthId = null;
        round = 0;
        List<string> certs = [], cacerts = [];
        var revocation = Petrel.Ike.Config.RevocationPolicy.Relaxed;
        foreach (var e in s.Entries)
        {
            switch (e.Key)
            {
                case "auth":
                    auth = AuthMethod(e, s.Path);
                    UnbuiltFeatures.RefuseAuth(e, s.Path, auth);
                    break;
                case "id": id = IdentityValue(e, s.Path); break;
                // swanctl.conf(5) round: the number rounds are sorted by (default 0, then the order written).
                case "round": round = SettingValues.Integer(e, s.Path, 0, 1000); break;
                // swanctl.conf(5) eap_id: the EAP identity; %any on the remote side asks the client for it (EAP-Identity).
                case "eap_id": eapId = IdentityValue(e, s.Path); break;
                // swanctl.conf(5) xauth_id: the XAuth user name (local: ours; remote: the one the client must use).
                case "xauth_id": xauthId = IdentityValue(e, s.Path); break;
                case "certs": certs = FileList(e, s.Path, Path.Combine(directory, "x509")); break;
                case "cacerts": cacerts = FileList(e, s.Path, Path.Combine(directory, "x509ca")); break;
                // swanctl.conf(5) remote.revocation: strict | ifuri | relaxed (default).
                case "revocation":
                    revocation = SettingValues.OneOf(e, s.Path, "relaxed", "ifuri", "strict") switch
                    {
                        "strict" => Petrel.Ike.Config.RevocationPolicy.Strict,
                        "ifuri" => Petrel.Ike.Config.RevocationPolicy.IfUri,
                        _ => Petrel.Ike.Config.RevocationPolicy.Relaxed,
                    };
                    break;
            }
        }
        return new AuthConfig { Auth = auth, Id = id, Certs = certs, CaCerts = cacerts, Revocation = revocation, EapId = eapId, XAuthId = xauthId, Section = s.Name };
    }

    /// <summary>
    /// An identity as strongSwan writes it: an address, FQDN, e-mail, "@#keyid", or a DN such as
    /// "C=CH, O=strongSwan, CN=moon" (quote it when it holds '#' or '}'), "*" RDN values as wildcards.
    /// </summary>
    private static string? IdentityValue(SettingsEntry e, string where)
    {
        if (e.Value.Trim().Length == 0)
            return null;
        if (!Petrel.Ike.Wire.Identity.TryParse(e.Value, out _, out string error))
            throw SettingValues.Error(e, where, error);
        return e.Value.Trim();
    }

    private static string AuthMethod(SettingsEntry e, string where)
    {
        string v = e.Value.Trim().ToLowerInvariant();
        string[] exact = ["psk", "pubkey", "rsa", "ecdsa", "ed25519", "ed448", "eap", "xauth"];
        string[] prefixes = ["pubkey-", "rsa-", "rsa/", "ecdsa-", "eap-", "xauth-"];
        if (Array.IndexOf(exact, v) >= 0)
            return v;
        foreach (var p in prefixes)
            if (v.StartsWith(p, StringComparison.Ordinal) && v.Length > p.Length)
                return v;
        throw SettingValues.Error(e, where, $"'{e.Value}' is not an authentication method (psk, pubkey, rsa, ecdsa, eap-…, xauth…){KeySuggestion.Hint(v, exact)}");
    }

    /// <summary>
    /// Certificate file names, relative ones resolved against <paramref name="directory"/>
    /// (swanctl's x509/ or x509ca/). Loading them is a later issue.
    /// </summary>
    private static List<string> FileList(SettingsEntry e, string where, string directory)
    {
        var files = SettingValues.List(e);
        for (int i = 0; i < files.Count; i++)
        {
            if (files[i].IndexOfAny(['\0', '\n']) >= 0)
                throw SettingValues.Error(e, where, $"'{files[i]}' is not a file name");
            files[i] = Path.IsPathRooted(files[i]) ? files[i] : Path.GetFullPath(Path.Combine(directory, files[i]));
        }
        return files;
    }

    private static ChildConfig MapChild(SettingsSection s)
    {
        CheckKeys(s, ChildKeys, ChildUnsupported);
        CheckSections(s, [], []);
        string where = s.Path;

        List<string> localTs = ["dynamic"], remoteTs = ["dynamic"];
        IReadOnlyList<Proposal>? esp = null, ah = null;
        string mode = "tunnel", startAction = "none", dpdAction = "clear", closeAction = "none";
        TimeSpan rekeyTime = TimeSpan.FromHours(1);
        TimeSpan? lifeTime = null, randTime = null;
        ulong rekeyBytes = 0, lifeBytes = 0, rekeyPackets = 0, lifePackets = 0;
        int replayWindow = 128;
        int tfcPadding = 0;
        uint ifIdIn = 0, ifIdOut = 0;
        bool ipcomp = false;

        foreach (var e in s.Entries)
        {
            switch (e.Key)
            {
                case "local_ts": localTs = TrafficSelectors(e, where); break;
                case "remote_ts": remoteTs = TrafficSelectors(e, where); break;
                case "esp_proposals": esp = Proposals(e, where, SecurityProtocol.Esp); break;
                case "ah_proposals": ah = Proposals(e, where, SecurityProtocol.Ah); break;
                case "mode":
                    if (e.Value.Trim().Equals("beet", StringComparison.OrdinalIgnoreCase))
                        throw SettingValues.Error(e, where, "BEET mode is not supported by Petrel yet");
                    mode = SettingValues.OneOf(e, where, "tunnel", "transport", "pass", "drop");
                    break;
                case "start_action":
                    // strongSwan also accepts the ipsec.conf names: route/hold = trap, restart = start, clear = none.
                    startAction = SettingValues.OneOf(e, where, "none", "trap", "start", "route", "hold", "restart", "clear") switch
                    {
                        "route" or "hold" => "trap",
                        "restart" => "start",
                        "clear" => "none",
                        var v => v,
                    };
                    break;
                case "dpd_action":
                    // "hold" is the older spelling of trap (the seed's name for it).
                    dpdAction = SettingValues.OneOf(e, where, "clear", "trap", "hold", "restart", "none");
                    if (dpdAction == "hold") dpdAction = "trap";
                    break;
                case "close_action":
                    closeAction = SettingValues.OneOf(e, where, "none", "trap", "start", "clear", "route", "hold", "restart") switch
                    {
                        "route" or "hold" => "trap",
                        "restart" => "start",
                        "clear" => "none",
                        var v => v,
                    };
                    break;
                case "rekey_time": rekeyTime = SettingValues.Time(e, where); break;
                case "life_time": lifeTime = SettingValues.Time(e, where); break;
                case "rand_time": randTime = SettingValues.Time(e, where); break;
                case "rekey_bytes": rekeyBytes = SettingValues.Count(e, where); break;
                case "life_bytes": lifeBytes = SettingValues.Count(e, where); break;
                case "rekey_packets": rekeyPackets = SettingValues.Count(e, where); break;
                case "life_packets": lifePackets = SettingValues.Count(e, where); break;
                case "rand_bytes" or "rand_packets": SettingValues.Count(e, where); break;
                case "replay_window": replayWindow = SettingValues.Integer(e, where, 0, Petrel.DataPlane.Kernel.SaSpec.MaxReplayWindow); break;
                case "if_id_in": ifIdIn = InterfaceId(e, where); break;
                case "if_id_out": ifIdOut = InterfaceId(e, where); break;
                case "tfc_padding":
                    // swanctl.conf(5): "mtu" pads to the path MTU, a number pads to that many bytes.
                    tfcPadding = e.Value.Trim().Equals("mtu", StringComparison.OrdinalIgnoreCase)
                        ? ChildConfig.TfcPaddingMtu
                        : SettingValues.Integer(e, where, 0, 65535);
                    break;
                case "ipcomp":
                    if (SettingValues.Bool(e, where))
                        throw SettingValues.Error(e, where, "IPComp is not supported by Petrel yet");
                    break;
            }
        }
        if (esp is not null && ah is not null)
            throw SettingValues.Error(s.FindEntry("ah_proposals")!, where, "a child uses either ESP or AH: remove esp_proposals or ah_proposals");
        if (lifeTime is { } lt && lt != TimeSpan.Zero && rekeyTime != TimeSpan.Zero && lt <= rekeyTime)
            throw SettingValues.Error(s.FindEntry("life_time")!, where, $"must be longer than rekey_time ({rekeyTime.TotalSeconds:0}s)");

        return new ChildConfig
        {
            Name = s.Name,
            LocalTs = localTs,
            RemoteTs = remoteTs,
            EspProposals = ah is null ? esp ?? DefaultProposals(SecurityProtocol.Esp) : [],
            AhProposals = ah ?? [],
            Mode = mode,
            StartAction = startAction,
            DpdAction = dpdAction,
            CloseAction = closeAction,
            RekeyTime = rekeyTime,
            LifeTime = lifeTime,
            RandTime = randTime,
            RekeyBytes = rekeyBytes,
            LifeBytes = lifeBytes,
            RekeyPackets = rekeyPackets,
            LifePackets = lifePackets,
            ReplayWindow = replayWindow,
            TfcPadding = tfcPadding,
            InterfaceIdIn = ifIdIn,
            InterfaceIdOut = ifIdOut,
            Ipcomp = ipcomp,
        };
    }

    /// <summary>
    /// swanctl.conf(5) if_id_in / if_id_out: the XFRM interface id, decimal or 0x hex; Petrel maps
    /// each id to a virtual tunnel interface (vti00, …). %unique needs per-SA interfaces, which Petrel has not.
    /// </summary>
    private static uint InterfaceId(SettingsEntry e, string where)
    {
        string v = e.Value.Trim();
        bool ok = TryParseInterfaceId(v, out uint id);
        if (v.StartsWith('%'))
            throw SettingValues.Error(e, where, $"'{v}' is not supported by Petrel yet; give a number");
        if (!ok || id == uint.MaxValue)
            throw SettingValues.Error(e, where, $"'{e.Value}' is not an interface id (0 to 4294967294, decimal or 0x hex)");
        return id;
    }

    /// <summary>An if_id value: decimal or 0x hex, 0 to 0xffffffff (callers refuse what they must).</summary>
    internal static bool TryParseInterfaceId(string v, out uint id) =>
        v.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(v.AsSpan(2), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out id)
            : uint.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out id);

    private static List<string> TrafficSelectors(SettingsEntry e, string where)
    {
        var list = SettingValues.List(e);
        if (list.Count == 0)
            throw SettingValues.Error(e, where, "needs at least one traffic selector (a subnet, address, range or 'dynamic')");
        foreach (var ts in list)
        {
            // "dynamic" stands for the IKE address (RFC 7296 §2.9) and may carry "[proto/port]".
            string text = ts.StartsWith("dynamic", StringComparison.OrdinalIgnoreCase) ? "0.0.0.0/0" + ts["dynamic".Length..] : ts;
            try
            {
                TrafficSelector.Parse(text);
            }
            catch (FormatException ex)
            {
                throw SettingValues.Error(e, where, $"bad traffic selector '{ts}': {StripTsPrefix(ex.Message)}");
            }
        }
        return list;
    }

    private static string StripTsPrefix(string message)
    {
        int colon = message.IndexOf("': ", StringComparison.Ordinal);
        return colon >= 0 ? message[(colon + 3)..] : message;
    }

    private static IReadOnlyList<Proposal> Proposals(SettingsEntry e, string where, SecurityProtocol protocol)
    {
        if (e.Value.Trim().Length == 0)
            throw SettingValues.Error(e, where, "needs at least one proposal (or 'default')");
        IReadOnlyList<Proposal> proposals;
        try
        {
            proposals = ProposalParser.Parse(e.Value, protocol);
        }
        catch (FormatException ex)
        {
            throw SettingValues.Error(e, where, $"bad proposal: {ex.Message}");
        }
        catch (ArgumentException ex)
        {
            throw SettingValues.Error(e, where, $"bad proposal: {ex.Message}");
        }
        return proposals;
    }

    private static IReadOnlyList<Proposal> DefaultProposals(SecurityProtocol protocol) =>
        ProposalParser.Default(protocol);

    private static SharedSecret MapSecret(SettingsSection s)
    {
        string? kind = null;
        foreach (var k in SecretKinds)
            if (s.Name.StartsWith(k, StringComparison.Ordinal)) kind = k;
        foreach (var k in KeySecretKinds)
            if (s.Name.StartsWith(k, StringComparison.Ordinal)) return MapKeySecret(s, k);
        if (kind is null)
        {
            foreach (var k in SecretUnsupported)
                if (s.Name.StartsWith(k, StringComparison.Ordinal))
                    throw new ConfigException(s.File, s.Line, $"secret section '{s.Name}' in secrets: {k} secrets are not supported by Petrel yet");
            throw new ConfigException(s.File, s.Line,
                $"unknown section '{s.Name}' in secrets: secret sections start with ike, eap, xauth or ntlm (e.g. ike-lab){KeySuggestion.Hint(s.Name, SecretKinds)}");
        }
        CheckSections(s, [], []);
        byte[]? secret = null;
        var ids = new List<string>();
        foreach (var e in s.Entries)
        {
            if (e.Key == "secret")
                secret = SettingValues.Secret(e, s.Path);
            else if (e.Key.StartsWith("id", StringComparison.Ordinal))
                ids.Add(e.Value);
            else
                throw new ConfigException(e.File, e.Line, $"unknown key '{e.Key}' in {s.Path}: a secret has 'secret' and 'id', 'id-1', …{KeySuggestion.Hint(e.Key, ["secret", "id"])}");
        }
        if (secret is null)
            throw new ConfigException(s.File, s.Line, $"{s.Path}: 'secret' is missing");
        // swanctl.conf(5) secrets.ntlm<suffix>: the NT hash (MD4 of the UTF-16LE password), written 0x… (16 bytes).
        if (kind == "ntlm" && secret.Length != 16)
            throw new ConfigException(s.File, s.Line, $"{s.Path}: an NTLM secret is the 16-byte NT hash written as 0x… (32 hex digits), not {secret.Length} bytes");
        return new SharedSecret { Ids = ids, Secret = secret, Kind = kind };
    }

    /// <summary>
    /// A private key's passphrase (swanctl.conf(5) secrets.private&lt;suffix&gt;): <c>file</c> names the key in private/
    /// (or rsa/, ecdsa/, pkcs8/), <c>secret</c> is the passphrase. Kept as a secret of that kind; never logged.
    /// </summary>
    private static SharedSecret MapKeySecret(SettingsSection s, string kind)
    {
        CheckSections(s, [], []);
        byte[]? secret = null;
        string? file = null;
        foreach (var e in s.Entries)
        {
            if (e.Key == "secret")
                secret = SettingValues.Secret(e, s.Path);
            else if (e.Key == "file")
                file = e.Value;
            else
                throw new ConfigException(e.File, e.Line, $"unknown key '{e.Key}' in {s.Path}: a private key secret has 'file' and 'secret'{KeySuggestion.Hint(e.Key, ["secret", "file"])}");
        }
        if (secret is null)
            throw new ConfigException(s.File, s.Line, $"{s.Path}: 'secret' (the key's passphrase) is missing");
        return new SharedSecret { Ids = [], Secret = secret, Kind = kind, File = file };
    }

    private static AuthorityConfig MapAuthority(SettingsSection s, string directory)
    {
        CheckKeys(s, AuthorityKeys, AuthorityUnsupported);
        CheckSections(s, [], []);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var crlUris = new List<string>();
        foreach (var e in s.Entries)
        {
            switch (e.Key)
            {
                // swanctl reads a relative cacert from x509ca/; "file" is the absolute-path form of the same.
                case "cacert" or "file":
                    if (e.Value.Length == 0 || e.Value.IndexOfAny(['\0', '\n']) >= 0)
                        throw SettingValues.Error(e, s.Path, "needs the CA certificate's file name");
                    settings["cacert"] = Path.IsPathRooted(e.Value) ? e.Value : Path.GetFullPath(Path.Combine(directory, "x509ca", e.Value));
                    break;
                case "crl_uris":
                    crlUris = CrlUris(e, s.Path, directory);
                    settings[e.Key] = e.Value;
                    break;
                case "ocsp_uris":
                    UnbuiltFeatures.RefuseOcspUris(e, s.Path);
                    break;
                case "cert_uri_base":
                    UnbuiltFeatures.RefuseCertUriBase(e, s.Path);
                    break;
                default:
                    settings[e.Key] = e.Value;
                    break;
            }
        }
        if (!settings.ContainsKey("cacert"))
            throw new ConfigException(s.File, s.Line, $"{s.Path}: 'cacert' (the CA certificate, in x509ca/) is missing");
        return new AuthorityConfig(s.Name, settings, $"{s.File}:{s.Line}") { CrlUris = crlUris };
    }

    /// <summary>
    /// CRL distribution points (swanctl.conf(5) authorities.crl_uris): http(s)/ldap URIs are kept for fetching,
    /// file:// URIs and paths name local CRL files (relative ones in x509crl/).
    /// </summary>
    private static List<string> CrlUris(SettingsEntry e, string where, string directory)
    {
        var result = new List<string>();
        foreach (string item in SettingValues.List(e))
        {
            if (Uri.TryCreate(item, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "ldap" or "file")
            {
                result.Add(uri.Scheme == "file" ? uri.LocalPath : item);
                continue;
            }
            if (item.Contains("://", StringComparison.Ordinal) || item.IndexOfAny(['\0', '\n']) >= 0)
                throw SettingValues.Error(e, where, $"'{item}' is not a CRL URI (http://, https://, ldap://, file://) or file");
            result.Add(Path.IsPathRooted(item) ? item : Path.GetFullPath(Path.Combine(directory, "x509crl", item)));
        }
        return result;
    }

    private static DaemonSettings MapDaemon(SettingsSection s)
    {
        CheckKeys(s, PetrelKeys, []);
        CheckSections(s, ["interfaces", "eap-radius"], []);
        var d = new DaemonSettings { Radius = s.FindSection("eap-radius") is { } radius ? RadiusLoader.Map(radius) : null };
        foreach (var e in s.Entries)
        {
            d = e.Key switch
            {
                "socket" => d with { SocketPath = NonEmpty(e, s.Path) },
                // strongSwan's vici protocol (charon.plugins.vici.socket), off unless set.
                "vici" => d with { ViciPath = ViciPath(e, s.Path) },
                "ike_port" => d with { IkePort = SettingValues.Integer(e, s.Path, 1, 65535) },
                "natt_port" => d with { NatTPort = SettingValues.Integer(e, s.Path, 1, 65535) },
                "tun_name" => d with { TunName = TunName(e, s.Path) },
                "log_level" => d with { LogLevel = LogLevelOf(e, s.Path) },
                "dashboard" => d with { Dashboard = DashboardEndpoint(e, s.Path) },
                "dashboard_token" => d with { DashboardToken = DashboardToken(e, s.Path) },
                "log_format" => d with
                {
                    LogFormat = e.Value.Trim().ToLowerInvariant() is "text" or "json" ? e.Value.Trim().ToLowerInvariant()
                        : throw SettingValues.Error(e, s.Path, $"'{e.Value}' is not a log format (text or json)"),
                },
                // IPv4 needs 576 end to end (RFC 791); the TUN MTU may be larger than the path (PMTUD does the rest).
                "tun_mtu" => d with
                {
                    TunMtu = e.Value.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? DaemonSettings.AutoTunMtu : SettingValues.Integer(e, s.Path, 576, 65535),
                },
                "path_mtu" => d with { PathMtu = SettingValues.Integer(e, s.Path, 576, 65535) },
                "mss_clamp" => d with { MssClamp = SettingValues.Bool(e, s.Path) },
                // Least privilege (issue 12): key export is opt-in; a group may read state through the control socket.
                "export_keys" => d with { ExportKeys = SettingValues.Bool(e, s.Path) },
                "socket_group" => d with { SocketGroup = SocketGroup(e, s.Path) },
                "user" => d with { User = UserName(e, s.Path) },
                // charon.retransmit_* (RFC 7296 §2.1 back-off): how soon a silent peer is declared dead.
                "retransmit_timeout" => d with { RetransmitTimeout = Seconds(e, s.Path) },
                "retransmit_base" => d with { RetransmitBase = RetransmitBase(e, s.Path) },
                "retransmit_tries" => d with { RetransmitTries = SettingValues.Integer(e, s.Path, 0, 100) },
                // charon.fragment_size: IPv6 needs 1280 end to end, but IPv4 paths may be as small as 576 (RFC 791).
                "fragment_size" => d with { FragmentSize = SettingValues.Integer(e, s.Path, 576, 65535) },
                // How long one CRL fetch from a distribution point may take (the revocation check waits meanwhile).
                "fetch_timeout" => d with { FetchTimeout = FetchTimeout(e, s.Path) },
                "cookie_threshold" => d with { CookieThreshold = SettingValues.Integer(e, s.Path, 0, 1_000_000) },
                "block_threshold" => d with { BlockThreshold = SettingValues.Integer(e, s.Path, 0, 1_000_000) },
                "init_limit_half_open" => d with { InitLimitHalfOpen = SettingValues.Integer(e, s.Path, 0, 10_000_000) },
                // RFC 7296 §2: an implementation must accept at least 1280 bytes (IPv6's minimum MTU); at most a UDP datagram.
                "max_packet" => d with { MaxPacket = SettingValues.Integer(e, s.Path, 1280, 65535) },
                // One pipeline per core: threads sealing/opening the packets of one batch ("auto" = processor count).
                "packet_threads" => d with
                {
                    PacketThreads = e.Value.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? DaemonSettings.AutoPacketThreads : SettingValues.Integer(e, s.Path, 1, 64),
                },
                // Nice value of the packet threads (setpriority(2)); negative: ahead of applications on a short CPU.
                "packet_nice" => d with { PacketNice = SettingValues.SignedInteger(e, s.Path, -20, 19) },
                _ => d,
            };
        }
        // An open dashboard on an address others can reach would let anyone see the SAs: refuse it.
        if (d.Dashboard is { } endpoint && !System.Net.IPAddress.IsLoopback(endpoint.Address) && d.DashboardToken is null)
        {
            var entry = s.Entries.Last(x => x.Key == "dashboard");
            throw SettingValues.Error(entry, s.Path, $"'{entry.Value}' is not a loopback address: set dashboard_token too (every page and action then needs it)");
        }
        return d;
    }

    /// <summary>petrel.user: a user name the system knows, not root.</summary>
    private static string UserName(SettingsEntry e, string where)
    {
        string v = e.Value.Trim();
        if (v.Length == 0 || Petrel.Platform.Privilege.UnixAccounts.User(v) is not { } account)
            throw SettingValues.Error(e, where, $"'{e.Value}' is not a user of this system");
        if (account.Uid == 0)
            throw SettingValues.Error(e, where, $"'{e.Value}' is root: name an unprivileged user to drop root to");
        return v;
    }

    /// <summary>petrel.socket_group: a group name or id the system knows.</summary>
    private static string SocketGroup(SettingsEntry e, string where)
    {
        string v = e.Value.Trim();
        if (v.Length == 0 || Petrel.Platform.Privilege.UnixAccounts.GroupId(v) is null)
            throw SettingValues.Error(e, where, $"'{e.Value}' is not a group of this system");
        return v;
    }

    /// <summary>petrel.dashboard: ADDRESS:PORT ([v6]:PORT), port 1 to 65535.</summary>
    private static System.Net.IPEndPoint DashboardEndpoint(SettingsEntry e, string where)
    {
        string v = e.Value.Trim();
        if (System.Net.IPEndPoint.TryParse(v, out var ep) && ep.Port > 0 && (v.Contains(']') || ep.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) && v.Contains(':'))
            return ep;
        throw SettingValues.Error(e, where, $"'{e.Value}' is not ADDRESS:PORT (e.g. 127.0.0.1:8480 or [::1]:8480)");
    }

    /// <summary>petrel.dashboard_token: at least 16 printable characters, so it cannot be guessed.</summary>
    private static string DashboardToken(SettingsEntry e, string where)
    {
        string v = e.Value.Trim();
        if (v.Length < 16 || v.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            throw SettingValues.Error(e, where, "must be at least 16 printable characters without spaces");
        return v;
    }

    /// <summary>charon.retransmit_timeout is fractional seconds ("4.0", "0.5"); a trailing s is accepted.</summary>
    private static TimeSpan Seconds(SettingsEntry e, string where)
    {
        string v = e.Value.Trim().TrimEnd('s', 'S');
        return double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double seconds) && seconds > 0 && seconds <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : throw SettingValues.Error(e, where, $"'{e.Value}' is not a number of seconds above 0 (e.g. 4.0 or 0.5)");
    }

    private static TimeSpan FetchTimeout(SettingsEntry e, string where)
    {
        // The IKE_AUTH request waits for the fetch: it must end well before the half-open IKE SA times out (30 s).
        var t = SettingValues.Time(e, where);
        return t >= TimeSpan.FromSeconds(1) && t <= TimeSpan.FromSeconds(20)
            ? t : throw SettingValues.Error(e, where, $"'{e.Value}' is not a time from 1s to 20s (an IKE_AUTH waits for the fetch, a half-open IKE SA lives 30 s)");
    }

    private static double RetransmitBase(SettingsEntry e, string where) =>
        double.TryParse(e.Value.Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) && v >= 1 && v <= 10
            ? v : throw SettingValues.Error(e, where, $"'{e.Value}' is not a number from 1 to 10");

    /// <summary>A path, or strongSwan's unix:// URI form of one.</summary>
    private static string ViciPath(SettingsEntry e, string where)
    {
        string v = e.Value.Trim();
        if (v.StartsWith("unix://", StringComparison.Ordinal)) v = v["unix://".Length..];
        if (v.Length == 0 || v.IndexOfAny(['\0', '\n']) >= 0 || v.Contains("://", StringComparison.Ordinal))
            throw SettingValues.Error(e, where, $"'{e.Value}' is not a Unix socket path (e.g. /run/petrel/charon.vici)");
        return v;
    }

    private static string NonEmpty(SettingsEntry e, string where) =>
        e.Value.Length > 0 ? e.Value : throw SettingValues.Error(e, where, "is empty");

    /// <summary>Linux interface names: at most 15 bytes, no '/', no whitespace.</summary>
    private static string TunName(SettingsEntry e, string where)
    {
        string v = e.Value.Trim();
        if (!InterfaceNames.IsValid(v))
            throw SettingValues.Error(e, where, $"'{e.Value}' is not an interface name ({InterfaceNames.Rule})");
        return v;
    }

    private static LogLevel LogLevelOf(SettingsEntry e, string where) =>
        SettingValues.OneOf(e, where, "trace", "debug", "info", "warning", "error", "critical", "none") switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "info" => LogLevel.Information,
            "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" => LogLevel.Critical,
            _ => LogLevel.None,
        };

    /// <summary>Every key of the section must be known; strongSwan keys Petrel lacks get their own message.</summary>
    private static void CheckKeys(SettingsSection s, string[] known, string[] unsupported)
    {
        foreach (var e in s.Entries)
        {
            if (Array.IndexOf(known, e.Key) >= 0)
                continue;
            if (Array.IndexOf(unsupported, e.Key) >= 0)
                throw new ConfigException(e.File, e.Line, $"key '{e.Key}' {s.Where()} is not supported by Petrel yet");
            if (Array.IndexOf(ConnectionSections, e.Key) >= 0 && s.Path.StartsWith("connections.", StringComparison.Ordinal) && s.Path.Count(c => c == '.') == 1)
                throw new ConfigException(e.File, e.Line, $"'{e.Key}' {s.Where()} must be a section: {e.Key} {{ … }}");
            throw new ConfigException(e.File, e.Line, $"unknown key '{e.Key}' {s.Where()}{KeySuggestion.Hint(e.Key, known)}");
        }
    }

    private static void RejectKeys(SettingsSection s, string[] known, string? why = null)
    {
        foreach (var e in s.Entries)
        {
            if (Array.IndexOf(known, e.Key) >= 0)
                continue;
            if (s.Path.Length == 0 && Array.IndexOf(TopSections, e.Key) >= 0)
                throw new ConfigException(e.File, e.Line, $"'{e.Key}' must be a section: {e.Key} {{ … }}");
            throw new ConfigException(e.File, e.Line, why is null
                ? $"unknown key '{e.Key}' {s.Where()}"
                : $"unexpected key '{e.Key}' {s.Where()}: {why}");
        }
    }

    private static void CheckSections(SettingsSection s, string[] known, string[] unsupported)
    {
        foreach (var sub in s.Sections)
        {
            if (Array.IndexOf(known, sub.Name) >= 0)
                continue;
            if (Array.IndexOf(unsupported, sub.Name) >= 0)
                throw new ConfigException(sub.File, sub.Line, $"section '{sub.Name}' {s.Where()} is not supported by Petrel yet");
            throw new ConfigException(sub.File, sub.Line, $"unknown section '{sub.Name}' {s.Where()}{KeySuggestion.Hint(sub.Name, known)}");
        }
    }
}

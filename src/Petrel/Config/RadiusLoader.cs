using System.Net;
using Petrel.Ike.Radius;

namespace Petrel.Config;

/// <summary>
/// petrel { eap-radius { … } }: strongSwan's charon.plugins.eap-radius settings (strongswan.conf(5)) that Petrel
/// implements, in Petrel's own section of swanctl.conf: servers { NAME { address, secret, auth_port (or port),
/// acct_port, preference, nas_identifier } } or the single-server shorthand server / secret / port, plus
/// nas_identifier, retransmit_timeout / _base / _tries (per try: timeout × base^n; then the next server),
/// accounting and accounting_interval. Every error names the file, line and key; the secrets are never echoed.
/// </summary>
internal static class RadiusLoader
{
    private static readonly string[] Keys = ["server", "secret", "port", "nas_identifier", "retransmit_timeout", "retransmit_base",
        "retransmit_tries", "accounting", "accounting_interval"];

    /// <summary>strongSwan's eap-radius options Petrel does not implement: refused by name.</summary>
    private static readonly string[] Unsupported = ["accounting_close_on_timeout", "accounting_requires_vip", "accounting_send_class",
        "class_group", "close_all_on_timeout", "eap_start", "filter_id", "id_prefix", "sockets", "station_id_with_port", "load"];

    private static readonly string[] ServerKeys = ["address", "secret", "auth_port", "port", "acct_port", "preference", "nas_identifier"];
    private static readonly string[] ServerUnsupported = ["sockets", "retransmit_timeout", "retransmit_base", "retransmit_tries"];

    public static RadiusSettings Map(SettingsSection s)
    {
        RadiusDaeSettings? dae = null;
        foreach (var sub in s.Sections)
        {
            if (sub.Name == "servers") continue;
            if (sub.Name == "dae")
            {
                dae = MapDae(sub);
                continue;
            }
            if (sub.Name is "forward" or "xauth")
                throw new ConfigException(sub.File, sub.Line, $"section '{sub.Name}' {s.Where()} is not supported by Petrel yet");
            throw new ConfigException(sub.File, sub.Line, $"unknown section '{sub.Name}' {s.Where()}{KeySuggestion.Hint(sub.Name, ["servers"])}");
        }
        var settings = new RadiusSettings();
        SettingsEntry? server = null, secret = null, port = null;
        var retransmitEntries = new List<SettingsEntry>();
        foreach (var e in s.Entries)
        {
            if (e.Key.StartsWith("retransmit_", StringComparison.Ordinal)) retransmitEntries.Add(e);
            switch (e.Key)
            {
                case "server": server = e; break;
                case "secret": secret = e; break;
                case "port": port = e; break;
                case "nas_identifier": settings = settings with { NasIdentifier = NasIdentifier(e, s.Path) }; break;
                case "retransmit_timeout": settings = settings with { RetransmitTimeout = Seconds(e, s.Path) }; break;
                case "retransmit_base":
                    settings = settings with
                    {
                        RetransmitBase = double.TryParse(e.Value.Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double b) && b >= 1 && b <= 10
                            ? b : throw SettingValues.Error(e, s.Path, $"'{e.Value}' is not a number from 1 to 10"),
                    };
                    break;
                case "retransmit_tries": settings = settings with { RetransmitTries = SettingValues.Integer(e, s.Path, 1, 20) }; break;
                case "accounting": settings = settings with { Accounting = SettingValues.Bool(e, s.Path) }; break;
                case "accounting_interval": settings = settings with { AccountingInterval = SettingValues.Time(e, s.Path) }; break;
                default:
                    if (Array.IndexOf(Unsupported, e.Key) >= 0)
                        throw new ConfigException(e.File, e.Line, $"key '{e.Key}' {s.Where()} is not supported by Petrel yet");
                    throw new ConfigException(e.File, e.Line, $"unknown key '{e.Key}' {s.Where()}{KeySuggestion.Hint(e.Key, Keys)}");
            }
        }
        var servers = new List<RadiusServer>();
        if (server is not null || secret is not null || port is not null)
        {
            // strongSwan's shorthand for one server: server, secret and port at the plugin's level.
            var first = server ?? secret ?? port!;
            if (server is null) throw new ConfigException(first.File, first.Line, $"{s.Path}: 'server' (the RADIUS server's address) is missing beside '{first.Key}'");
            if (secret is null) throw new ConfigException(server.File, server.Line, $"{s.Path}: 'secret' (the shared secret) is missing beside 'server'");
            servers.Add(new RadiusServer
            {
                Name = "server",
                Address = Address(server, s.Path),
                Secret = SettingValues.Secret(secret, s.Path),
                AuthPort = port is null ? 1812 : SettingValues.Integer(port, s.Path, 1, 65535),
            });
        }
        if (s.FindSection("servers") is { } list)
        {
            foreach (var e in list.Entries)
                throw new ConfigException(e.File, e.Line, $"unexpected key '{e.Key}' in {list.Path}: a server must be a section: NAME {{ address = …, secret = … }}");
            foreach (var sub in list.Sections)
                servers.Add(MapServer(sub));
        }
        if (servers.Count == 0)
            throw new ConfigException(s.File, s.Line, $"{s.Path}: no RADIUS server: add servers {{ NAME {{ address = …, secret = … }} }}");
        settings = settings with { Servers = servers, Dae = dae };
        return FitRetransmits(settings, s, retransmitEntries);
    }

    /// <summary>Time the whole IKE_AUTH (every EAP round trip and RADIUS failover) has: a half-open IKE SA's timeout.</summary>
    internal static readonly TimeSpan HalfOpenTimeout = new Petrel.Ike.Engine.IkeEngineOptions().HalfOpenTimeout;

    /// <summary>What the rest of the handshake needs beside one RADIUS failover (IKE_SA_INIT, the EAP round trips, the final AUTH).</summary>
    internal static readonly TimeSpan HandshakeMargin = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A RADIUS request whose servers are all silent waits servers × Σ timeout × base^n before the conversation fails
    /// (strongSwan's eap-radius failover). It must end inside the half-open timeout, else the IKE SA is gone before the
    /// last server was asked. Unset retransmit settings get strongSwan's defaults with as many tries as fit (at least
    /// one); settings written in the file that do not fit are refused at their line, with the arithmetic.
    /// </summary>
    private static RadiusSettings FitRetransmits(RadiusSettings settings, SettingsSection s, List<SettingsEntry> written)
    {
        var limit = HalfOpenTimeout - HandshakeMargin;
        if (!written.Any(e => e.Key == "retransmit_tries"))
        {
            while (settings.RetransmitTries > 1 && settings.FailoverBudget() > limit)
                settings = settings with { RetransmitTries = settings.RetransmitTries - 1 };
        }
        var budget = settings.FailoverBudget();
        if (budget <= limit) return settings;
        var at = written.Count > 0 ? written[^1] : null;
        string arithmetic = $"with {settings.Servers.Count} server(s) that do not answer, a request waits {settings.Servers.Count} × ({settings.DescribeTries()}) = {budget.TotalSeconds:0.#} s " +
            $"before it fails, but the whole IKE_AUTH must finish within the {HalfOpenTimeout.TotalSeconds:0} s half-open timeout ({limit.TotalSeconds:0} s are left for RADIUS); " +
            "lower retransmit_timeout, retransmit_base or retransmit_tries, or configure fewer servers";
        if (at is null) throw new ConfigException(s.File, s.Line, $"{s.Path}: {arithmetic}");
        throw SettingValues.Error(at, s.Path, arithmetic);
    }

    private static RadiusServer MapServer(SettingsSection s)
    {
        foreach (var sub in s.Sections)
            throw new ConfigException(sub.File, sub.Line, $"unknown section '{sub.Name}' {s.Where()}: a server has {string.Join(", ", ServerKeys)}");
        IPAddress? address = null;
        byte[]? secret = null;
        int auth = 1812, acct = 1813, preference = 0;
        string? nas = null;
        foreach (var e in s.Entries)
        {
            switch (e.Key)
            {
                case "address": address = Address(e, s.Path); break;
                case "secret": secret = SettingValues.Secret(e, s.Path); break;
                case "auth_port" or "port": auth = SettingValues.Integer(e, s.Path, 1, 65535); break;
                case "acct_port": acct = SettingValues.Integer(e, s.Path, 1, 65535); break;
                case "preference": preference = SettingValues.Integer(e, s.Path, int.MinValue, int.MaxValue); break;
                case "nas_identifier": nas = NasIdentifier(e, s.Path); break;
                default:
                    if (Array.IndexOf(ServerUnsupported, e.Key) >= 0)
                        throw new ConfigException(e.File, e.Line, $"key '{e.Key}' {s.Where()} is not supported by Petrel yet{(e.Key.StartsWith("retransmit", StringComparison.Ordinal) ? " (set it for all servers in eap-radius { })" : "")}");
                    throw new ConfigException(e.File, e.Line, $"unknown key '{e.Key}' {s.Where()}{KeySuggestion.Hint(e.Key, ServerKeys)}");
            }
        }
        if (address is null) throw new ConfigException(s.File, s.Line, $"{s.Path}: 'address' is missing");
        if (secret is null) throw new ConfigException(s.File, s.Line, $"{s.Path}: 'secret' is missing");
        return new RadiusServer { Name = s.Name, Address = address, Secret = secret, AuthPort = auth, AcctPort = acct, Preference = preference, NasIdentifier = nas };
    }

    private static readonly string[] DaeKeys = ["enable", "listen", "port", "secret"];

    /// <summary>
    /// dae { enable, listen, port, secret } (strongSwan's eap-radius.dae): RFC 5176 Disconnect- and CoA-Requests.
    /// Off unless enable = yes; then the secret is required (strongSwan disables DAE without one, Petrel refuses).
    /// </summary>
    private static RadiusDaeSettings? MapDae(SettingsSection s)
    {
        foreach (var sub in s.Sections)
            throw new ConfigException(sub.File, sub.Line, $"unknown section '{sub.Name}' {s.Where()}: dae has {string.Join(", ", DaeKeys)}");
        SettingsEntry? enable = null;
        IPAddress listen = IPAddress.Any;
        int port = 3799;
        byte[]? secret = null;
        foreach (var e in s.Entries)
        {
            switch (e.Key)
            {
                case "enable": enable = e; break;
                case "listen": listen = Address(e, s.Path); break;
                case "port": port = SettingValues.Integer(e, s.Path, 1, 65535); break;
                case "secret": secret = SettingValues.Secret(e, s.Path); break;
                default:
                    throw new ConfigException(e.File, e.Line, $"unknown key '{e.Key}' {s.Where()}{KeySuggestion.Hint(e.Key, DaeKeys)}");
            }
        }
        if (enable is null || !SettingValues.Bool(enable, s.Path)) return null;
        if (secret is null)
            throw SettingValues.Error(enable, s.Path, "RADIUS DAE needs its shared secret: add secret = … beside enable = yes");
        return new RadiusDaeSettings { Listen = new IPEndPoint(listen, port), Secret = secret };
    }

    private static IPAddress Address(SettingsEntry e, string where)
    {
        string v = e.Value.Trim();
        if (IPAddress.TryParse(v, out var ip) && !v.Contains('/') && !v.Contains('%')) return ip;
        throw SettingValues.Error(e, where, $"'{e.Value}' is not an IP address (Petrel does not resolve RADIUS server names)");
    }

    private static string NasIdentifier(SettingsEntry e, string where)
    {
        string v = e.Value.Trim();
        return v.Length is > 0 and <= 253 ? v : throw SettingValues.Error(e, where, "needs 1 to 253 characters");
    }

    private static TimeSpan Seconds(SettingsEntry e, string where)
    {
        string v = e.Value.Trim().TrimEnd('s', 'S');
        return double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double seconds) && seconds >= 0.1 && seconds <= 60
            ? TimeSpan.FromSeconds(seconds)
            : throw SettingValues.Error(e, where, $"'{e.Value}' is not a number of seconds from 0.1 to 60 (e.g. 2.0)");
    }

    /// <summary>
    /// remote auth = eap-radius (and xauth-radius) needs servers: refused at the auth line when petrel { eap-radius { } } is missing.
    /// </summary>
    public static void RequireServers(SettingsSection? connections, RadiusSettings? radius)
    {
        if (radius is not null || connections is null) return;
        foreach (var c in connections.Sections)
        foreach (var side in c.Sections)
        foreach (var e in side.Entries)
        {
            if (e.Key == "auth" && e.Value.Trim() is var v && (v.Equals("eap-radius", StringComparison.OrdinalIgnoreCase) || v.Equals("xauth-radius", StringComparison.OrdinalIgnoreCase)))
                throw SettingValues.Error(e, side.Path, "needs a RADIUS server: add petrel { eap-radius { servers { NAME { address = …, secret = … } } } }");
        }
    }
}

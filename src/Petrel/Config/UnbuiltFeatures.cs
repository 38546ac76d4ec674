namespace Petrel.Config;

/// <summary>
/// swanctl.conf settings that ask for a feature Petrel has not built yet. SPEC.md: a known key whose
/// feature is not built is an error naming the file, line and key, never accepted and then ignored.
/// Each feature has one method here and one call in <see cref="SwanctlLoader"/>; the work that builds
/// the feature deletes both. Values that do not ask for the feature (mobike = no) load as before.
/// </summary>
internal static class UnbuiltFeatures
{
    /// <summary>
    /// The parts of IKEv1 (`version = 1`) that are not built: authentication other than psk or certificates (pubkey, rsa,
    /// ecdsa) on both sides alike (XAuth is refused by its own check), modes other than tunnel and transport, more than
    /// one traffic selector per side (a Quick Mode carries one pair).
    /// </summary>
    public static void RefuseIkeV1Parts(SettingsSection connection, int version)
    {
        if (version != 1) return;
        string where = connection.Path;
        var versionEntry = connection.FindEntry("version")!;
        var classes = new List<string>();
        foreach (var side in new[] { "local", "remote" })
        {
            var first = AuthRounds.Of(connection, side).FirstOrDefault();
            var auth = first?.FindEntry("auth");
            if (first is null || auth is null)
                throw NotBuilt(versionEntry, where, $"IKEv1 needs {side}.auth = psk or pubkey (IKEv1 has no default authentication in Petrel)");
            string value = auth.Value.ToLowerInvariant();
            bool pubkey = value is "pubkey" or "rsa" or "ecdsa";
            if (value != "psk" && !pubkey && !value.StartsWith("xauth", StringComparison.Ordinal))
                throw NotBuilt(auth, first.Path, $"IKEv1 with auth = {auth.Value} is not built: IKEv1 authenticates with auth = psk, pubkey, rsa or ecdsa (or use version = 2)");
            classes.Add(pubkey ? "pubkey" : value);
        }
        if (classes[0] != classes[1] && !classes.Any(c => c.StartsWith("xauth", StringComparison.Ordinal)))
            throw NotBuilt(versionEntry, where, $"IKEv1 authenticates both sides the same way (one Phase 1 method): local.auth is {classes[0]}, remote.auth is {classes[1]}");
        foreach (var child in connection.FindSection("children")?.Sections ?? [])
        {
            string cw = child.Path;
            if (child.FindEntry("mode") is { } mode && !mode.Value.Equals("tunnel", StringComparison.OrdinalIgnoreCase) && !mode.Value.Equals("transport", StringComparison.OrdinalIgnoreCase))
                throw NotBuilt(mode, cw, $"mode = {mode.Value} with IKEv1 is not built yet: use mode = tunnel or transport (or version = 2)");
            foreach (var key in new[] { "local_ts", "remote_ts" })
                if (child.FindEntry(key) is { } ts && ts.Value.Contains(','))
                    throw NotBuilt(ts, cw, $"IKEv1 negotiates one traffic selector per side in Quick Mode: give {key} one subnet (or use version = 2)");
        }
    }

    /// <summary>
    /// connections.NAME.mobike (RFC 4555). strongSwan's default is yes; Petrel never offers MOBIKE, so
    /// only an explicit yes, which asks for it, is refused.
    /// </summary>
    public static void RefuseMobike(SettingsEntry e, string where, bool mobike)
    {
        if (mobike)
            throw NotBuilt(e, where, "MOBIKE (RFC 4555) is not built yet: set mobike = no (or leave it out)");
    }

    /// <summary>
    /// local/remote auth: EAP runs with eap (any of the built methods), eap-md5, eap-mschapv2 and eap-tls; eap-radius
    /// (pass-through to a RADIUS server) on the gateway's remote side; other EAP methods are not built. XAuth (IKEv1,
    /// second round) checks the swanctl secrets (xauth, xauth-generic) or asks a RADIUS server (xauth-radius, remote side);
    /// its EAP and PAM backends are not built.
    /// </summary>
    public static void RefuseAuth(SettingsEntry e, string where, string method)
    {
        if (method == "eap-radius" && !where[(where.LastIndexOf('.') + 1)..].StartsWith("remote", StringComparison.Ordinal))
            throw NotBuilt(e, where, "auth = eap-radius is the gateway's: it belongs in remote { } (a client uses eap-mschapv2, eap-tls, eap-md5 or eap)");
        if (method.StartsWith("eap-", StringComparison.Ordinal) && method is not ("eap-md5" or "eap-mschapv2" or "eap-tls" or "eap-radius"))
            throw NotBuilt(e, where, $"EAP method '{method[4..]}' is not built: Petrel does eap-md5, eap-mschapv2 and eap-tls (or eap for any of them)");
        if (method == "xauth-radius" && !where[(where.LastIndexOf('.') + 1)..].StartsWith("remote", StringComparison.Ordinal))
            throw NotBuilt(e, where, "auth = xauth-radius is the XAuth server's: it belongs in remote-N { } (a client uses auth = xauth)");
        if (method.StartsWith("xauth-", StringComparison.Ordinal) && method is not ("xauth-generic" or "xauth-radius"))
            throw NotBuilt(e, where, $"the XAuth backend '{method[6..]}' is not built: use auth = xauth (or xauth-generic), which checks xauth- and eap- secrets, or xauth-radius");
    }

    /// <summary>
    /// children.NAME.mark_in / mark_out (and mark_in_sa, set_mark_in, set_mark_out): netfilter marks that select the
    /// kernel's XFRM states and policies, the classic VTI setup. Petrel's SAs live in its userspace data plane, where
    /// no packet carries a mark to match; its route-based interfaces are chosen by if_id_in / if_id_out instead.
    /// </summary>
    public static void RefuseMarks(SettingsSection child)
    {
        foreach (var key in new[] { "mark_in", "mark_out", "mark_in_sa", "set_mark_in", "set_mark_out" })
            if (child.FindEntry(key) is { } e)
                throw NotBuilt(e, child.Path, $"{key} selects kernel XFRM states by netfilter mark (a VTI setup); Petrel's ESP runs in userspace where packets carry no such mark: use if_id_in / if_id_out = {MarkValue(e.Value)} for a route-based interface (Petrel creates it, named vtiNN or by petrel.interfaces)");
    }

    private static string MarkValue(string v)
    {
        string value = v.Split('/')[0].Trim();
        return value.Length == 0 || value.StartsWith('%') ? "N" : value;
    }

    /// <summary>authorities.NAME.ocsp_uris: revocation by OCSP (CRLs through crl_uris work).</summary>
    public static void RefuseOcspUris(SettingsEntry e, string where) =>
        throw NotBuilt(e, where, "OCSP is not built yet: remove ocsp_uris (crl_uris works)");

    /// <summary>authorities.NAME.cert_uri_base: certificates fetched by hash and URL (RFC 7296 §3.6).</summary>
    public static void RefuseCertUriBase(SettingsEntry e, string where) =>
        throw NotBuilt(e, where, "hash-and-URL certificate lookup is not built yet: remove cert_uri_base");

    private static ConfigException NotBuilt(SettingsEntry e, string where, string problem) => SettingValues.Error(e, where, problem);
}

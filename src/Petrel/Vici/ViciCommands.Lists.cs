using System.Globalization;
using Org.BouncyCastle.X509;
using Petrel.Ike.Config;
using Petrel.Ike.Engine;

namespace Petrel.Vici;

/// <summary>The listings: each streams one event per entry to the client, then answers with an empty reply.</summary>
public sealed partial class ViciCommands
{
    /// <summary>list-sas: one list-sa event per IKE SA, filtered by ike, ike-id, child, child-id.</summary>
    private async Task<ViciWriter> ListSasAsync(ViciRequest request)
    {
        var m = request.Message;
        string? ike = m.Text("ike"), child = m.Text("child");
        uint ikeId = Id(m.Text("ike-id")), childId = Id(m.Text("child-id"));
        var sas = await _loop.InvokeAsync(e => e.ListSas()).ConfigureAwait(false);
        foreach (var sa in sas)
        {
            if ((ike is not null && sa.Name != ike) || (ikeId != 0 && sa.UniqueId != ikeId))
                continue;
            var children = new List<ChildSaInfo>();
            foreach (var c in sa.Children)
                if ((child is null || c.Name == child) && (childId == 0 || c.UniqueId == childId))
                    children.Add(c);
            var w = new ViciWriter();
            ViciSaWriter.Write(w, sa, children: true, children);
            await request.Session.StreamEventAsync("list-sa", w.ToArray(), request.Cancel).ConfigureAwait(false);
        }
        return new ViciWriter();
    }

    private static uint Id(string? text) => uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint id) ? id : 0;

    /// <summary>list-conns: one list-conn event per loaded connection (the file's and vici's), filtered by ike.</summary>
    private async Task<ViciWriter> ListConnsAsync(ViciRequest request)
    {
        string? only = request.Message.Text("ike");
        var connections = await _loop.InvokeAsync(e => e.Connections).ConfigureAwait(false);
        foreach (var c in connections)
        {
            if (only is not null && c.Name != only)
                continue;
            var w = new ViciWriter().BeginSection(c.Name)
                .List("local_addrs", c.LocalAddrs.Count == 0 ? ["%any"] : c.LocalAddrs)
                .List("remote_addrs", c.RemoteAddrs.Count == 0 ? ["%any"] : c.RemoteAddrs)
                .Add("version", c.Version == 1 ? "IKEv1" : c.Version == 2 ? "IKEv2" : "0")
                .Add("reauth_time", (long)c.ReauthTime.TotalSeconds)
                .Add("rekey_time", (long)c.RekeyTime.TotalSeconds)
                .Add("unique", UniqueName(c.Unique))
                .Add("dpd_delay", (long)c.DpdDelay.TotalSeconds)
                .Add("dpd_timeout", (long)c.DpdTimeout.TotalSeconds)
                .Add("local_port", c.LocalPort)
                .Add("remote_port", c.RemotePort)
                .Add("encap", c.Encap)
                .Add("mobike", c.Mobike)
                .Add("aggressive", c.Aggressive)
                .Add("fragmentation", c.Fragmentation);
            for (int i = 0; i < c.LocalRounds.Count; i++)
                Auth(w, $"local-{i + 1}", c.LocalRounds[i], isLocal: true);
            for (int i = 0; i < c.RemoteRounds.Count; i++)
                Auth(w, $"remote-{i + 1}", c.RemoteRounds[i], isLocal: false);
            w.BeginSection("children");
            foreach (var ch in c.Children)
            {
                w.BeginSection(ch.Name)
                    .Add("mode", ch.Mode.ToUpperInvariant())
                    .Add("rekey_time", (long)ch.RekeyTime.TotalSeconds)
                    .Add("rekey_bytes", (long)ch.RekeyBytes)
                    .Add("rekey_packets", (long)ch.RekeyPackets)
                    .Add("start_action", ch.StartAction)
                    .Add("dpd_action", ch.DpdAction)
                    .Add("close_action", ch.CloseAction)
                    .List("local-ts", ch.LocalTs)
                    .List("remote-ts", ch.RemoteTs);
                if (ch.InterfaceIdIn != 0) w.Add("if_id_in", ch.InterfaceIdIn.ToString("x", CultureInfo.InvariantCulture));
                if (ch.InterfaceIdOut != 0) w.Add("if_id_out", ch.InterfaceIdOut.ToString("x", CultureInfo.InvariantCulture));
                if (ch.InterfaceIdOut != 0 && _interfaces.NameOf(ch.InterfaceIdOut) is { } name) w.Add("interface", name);
                w.EndSection();
            }
            w.EndSection().EndSection();
            await request.Session.StreamEventAsync("list-conn", w.ToArray(), request.Cancel).ConfigureAwait(false);
        }
        return new ViciWriter();
    }

    /// <summary>charon's unique policy names (UNIQUE_NO, UNIQUE_REPLACE …).</summary>
    private static string UniqueName(string unique) => unique switch
    {
        "never" => "UNIQUE_NEVER",
        "replace" => "UNIQUE_REPLACE",
        "keep" => "UNIQUE_KEEP",
        _ => "UNIQUE_NO",
    };

    /// <summary>An authentication round as charon lists it: its class ("pre-shared key", "public key"), identity and certificates.</summary>
    private static void Auth(ViciWriter w, string section, AuthConfig auth, bool isLocal)
    {
        w.BeginSection(section);
        w.Add("class", auth.Auth.Equals("psk", StringComparison.OrdinalIgnoreCase) ? "pre-shared key" : auth.IsEap ? "EAP" : "public key");
        if (auth.IsEap && auth.Auth.Length > 4) w.Add("eap-type", auth.Auth[4..].ToUpperInvariant());
        if (auth.Id is { } id) w.Add("id", id);
        if (auth.EapId is { } eapId) w.Add("eap_id", eapId);
        if (!isLocal) w.Add("revocation", auth.Revocation.ToString().ToLowerInvariant());
        if (auth.Certs.Count > 0) w.List("certs", auth.Certs.Select(Path.GetFileName).OfType<string>());
        if (auth.CaCerts.Count > 0) w.List("cacerts", auth.CaCerts.Select(Path.GetFileName).OfType<string>());
        w.EndSection();
    }

    /// <summary>
    /// list-policies: the trap policies (the engine's) and the shunts (children with mode pass or drop and
    /// start_action trap, installed from the configuration), filtered by trap/drop/pass, child and ike.
    /// </summary>
    private async Task<ViciWriter> ListPoliciesAsync(ViciRequest request)
    {
        var m = request.Message;
        bool trap = m.Flag("trap"), drop = m.Flag("drop"), pass = m.Flag("pass");
        string? child = m.Text("child"), ike = m.Text("ike");
        var (traps, connections) = await _loop.InvokeAsync(e => (e.ListTraps(), e.Connections)).ConfigureAwait(false);
        if (trap)
        {
            foreach (var t in traps)
            {
                if ((child is not null && t.Child != child) || (ike is not null && t.Connection != ike))
                    continue;
                await Policy(request, t.Connection, t.Child, t.Mode, t.LocalTs, t.RemoteTs).ConfigureAwait(false);
            }
        }
        foreach (var c in connections)
        {
            foreach (var ch in c.Children)
            {
                bool wanted = (ch.Mode == "pass" && pass) || (ch.Mode == "drop" && drop);
                if (!wanted || ch.StartAction != "trap" || (child is not null && ch.Name != child) || (ike is not null && c.Name != ike))
                    continue;
                await Policy(request, c.Name, ch.Name, ch.Mode.ToUpperInvariant(), ch.LocalTs, ch.RemoteTs).ConfigureAwait(false);
            }
        }
        return new ViciWriter();
    }

    private static Task Policy(ViciRequest request, string ike, string child, string mode, IReadOnlyList<string> local, IReadOnlyList<string> remote)
    {
        var w = new ViciWriter().BeginSection($"{ike}/{child}")
            .Add("child", child)
            .Add("ike", ike)
            .Add("mode", mode)
            .List("local-ts", local)
            .List("remote-ts", remote)
            .EndSection();
        return request.Session.StreamEventAsync("list-policy", w.ToArray(), request.Cancel);
    }

    /// <summary>
    /// list-certs: the certificates and CRLs the engine holds (the config directory's and vici's), as DER with
    /// their type and flag; filtered by type (X509, X509_CRL, ANY), flag (NONE, CA, ANY) and subject.
    /// </summary>
    private async Task<ViciWriter> ListCertsAsync(ViciRequest request)
    {
        var m = request.Message;
        string type = (m.Text("type") ?? "ANY").ToUpperInvariant(), flag = (m.Text("flag") ?? "ANY").ToUpperInvariant();
        string? subject = m.Text("subject");
        var store = _credentials();
        if (store is null)
            return new ViciWriter();
        var seen = new HashSet<X509Certificate>();
        var certs = new List<(X509Certificate Cert, bool Ca)>();
        foreach (var c in store.TrustAnchors) if (seen.Add(c)) certs.Add((c, true));
        foreach (var c in store.Intermediates) if (seen.Add(c)) certs.Add((c, true));
        foreach (var c in store.Certificates) if (seen.Add(c)) certs.Add((c, c.GetBasicConstraints() >= 0));
        if (type is "ANY" or "X509")
        {
            foreach (var (cert, ca) in certs)
            {
                string f = ca ? "CA" : "NONE";
                if (flag != "ANY" && flag != f)
                    continue;
                if (subject is not null && !SubjectMatches(cert, subject))
                    continue;
                var w = new ViciWriter().Add("type", "X509").Add("flag", f);
                if (!ca && store.FindKeyFor(cert) is not null) w.Add("has_privkey", "yes");
                w.Add("data", cert.GetEncoded());
                await request.Session.StreamEventAsync("list-cert", w.ToArray(), request.Cancel).ConfigureAwait(false);
            }
        }
        if (type is "ANY" or "X509_CRL" && flag is "ANY" or "NONE" && subject is null)
        {
            foreach (var crl in store.Crls)
            {
                var w = new ViciWriter().Add("type", "X509_CRL").Add("flag", "NONE").Add("data", crl.GetEncoded());
                await request.Session.StreamEventAsync("list-cert", w.ToArray(), request.Cancel).ConfigureAwait(false);
            }
        }
        return new ViciWriter();
    }

    private static bool SubjectMatches(X509Certificate cert, string subject)
    {
        if (!Petrel.Ike.Wire.Identity.TryParse(subject, out var id, out _) || id is null)
            return false;
        return Petrel.Ike.Certificates.CertificateIdentity.Matches(id, cert);
    }

    /// <summary>list-authorities: the authorities loaded over vici, filtered by name.</summary>
    private async Task<ViciWriter> ListAuthoritiesAsync(ViciRequest request)
    {
        string? only = request.Message.Text("name");
        foreach (var a in _store.Authorities)
        {
            if (only is not null && a.Name != only)
                continue;
            var w = new ViciWriter().BeginSection(a.Name);
            if (a.CaCerts.Count > 0) w.Add("cacert", a.CaCerts[0].SubjectDN.ToString());
            w.List("crl_uris", a.CrlUris).BeginList("ocsp_uris").EndList().EndSection();
            await request.Session.StreamEventAsync("list-authority", w.ToArray(), request.Cancel).ConfigureAwait(false);
        }
        return new ViciWriter();
    }
}

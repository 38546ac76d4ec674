using Microsoft.Extensions.Logging;
using Petrel.Daemon;
using Petrel.Ike.Engine;

namespace Petrel.Vici;

/// <summary>
/// install and uninstall (trap policies of a child config), reload-settings, flush-certs, and the commands
/// whose feature Petrel does not have (redirect, load-token), which fail with the reason.
/// </summary>
public sealed partial class ViciCommands
{
    /// <summary>The daemon's reload (petrel reload): reload-settings runs it; null when the daemon gave none.</summary>
    public Func<Task<ControlResponse>>? Reload { get; init; }

    /// <summary>Called after install/uninstall changed the trap policies (route-based interfaces follow them).</summary>
    public Action? PoliciesChanged { get; set; }

    /// <summary>install: the trap policy of a child config (ike names its connection, else the first that has the child).</summary>
    private async Task<ViciWriter> InstallAsync(ViciRequest request)
    {
        var m = request.Message;
        string? child = m.Text("child"), ike = m.Text("ike");
        if (child is null)
            return Failure("missing child configuration name to install");
        var result = await _loop.InvokeAsync(e =>
        {
            var (name, problem) = FindConnection(e.Connections, ike, child);
            if (problem is not null)
                return new InitiateResult(false, problem);
            var config = e.Connections.First(c => c.Name == name).Children.First(c => c.Name == child);
            if (config.Mode is "pass" or "drop")
                return new InitiateResult(false, $"'{name}' child '{child}' is a {config.Mode} shunt: Petrel installs shunts from start_action = trap when the configuration loads, not on request");
            return e.Route(name!, child);
        }).ConfigureAwait(false);
        _log.LogInformation("vici: install {Child}: {Result}", child, result.Message);
        PoliciesChanged?.Invoke();
        return result.Success ? Success() : Failure(result.Message);
    }

    /// <summary>uninstall: removes the trap policy of a child config (of the ike connection, else of the first that has one).</summary>
    private async Task<ViciWriter> UninstallAsync(ViciRequest request)
    {
        var m = request.Message;
        string? child = m.Text("child"), ike = m.Text("ike");
        if (child is null)
            return Failure("missing child configuration name to uninstall");
        int removed = await _loop.InvokeAsync(e =>
        {
            foreach (var trap in e.ListTraps())
                if (trap.Child == child && (ike is null || trap.Connection == ike))
                    return e.Unroute(trap.Connection, child);
            return 0;
        }).ConfigureAwait(false);
        _log.LogInformation("vici: uninstall {Child}: {Removed} trap polic(ies) removed", child, removed);
        PoliciesChanged?.Invoke();
        return removed > 0 ? Success() : Failure($"policy '{child}' does not exist");
    }

    /// <summary>reload-settings: Petrel's settings live in the config file's petrel { } section, so this re-reads the file as petrel reload does.</summary>
    private async Task<ViciWriter> ReloadSettingsAsync(ViciRequest request)
    {
        if (Reload is null)
            return Failure("this daemon cannot reload its configuration");
        var r = await Reload().ConfigureAwait(false);
        return r.Ok ? Success() : Failure(r.Error ?? "reload failed");
    }

    /// <summary>
    /// flush-certs: the only certificate cache Petrel keeps is the CRLs fetched from distribution points
    /// (peers' certificates are not cached beyond their IKE SA), so ANY and X509_CRL empty it and X509 has nothing to flush.
    /// </summary>
    private async Task<ViciWriter> FlushCertsAsync(ViciRequest request)
    {
        string type = (request.Message.Text("type") ?? "ANY").ToUpperInvariant();
        switch (type)
        {
            case "ANY" or "X509_CRL":
                int n = await _loop.InvokeAsync(e => e.FlushCrlCache()).ConfigureAwait(false);
                _log.LogInformation("vici: flushed {Count} cached CRL(s)", n);
                return Success();
            case "X509":
                return Success();
            case "X509_AC" or "OCSP_RESPONSE" or "PUBKEY":
                return Failure($"Petrel caches no {type} credentials (OCSP, attribute certificates and raw public keys are not built)");
            default:
                return Failure($"unknown certificate type '{request.Message.Text("type")}' (X509, X509_AC, X509_CRL, OCSP_RESPONSE, PUBKEY or ANY)");
        }
    }

    private static Task<ViciWriter> RedirectAsync(ViciRequest request) =>
        Task.FromResult(Failure("IKEv2 redirect (RFC 5685) is not supported by Petrel yet").Add("matches", 0));

    private static Task<ViciWriter> LoadTokenAsync(ViciRequest request) =>
        Task.FromResult(Failure("private keys on PKCS#11 tokens are not supported by Petrel: load the key file with load-key (swanctl --load-creds)"));
}

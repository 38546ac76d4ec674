using System.Globalization;
using Microsoft.Extensions.Logging;
using Petrel.Daemon;
using Petrel.Ike.Config;
using Petrel.Ike.Engine;

namespace Petrel.Vici;

/// <summary>
/// initiate, terminate and rekey. initiate and terminate wait for the engine's result (charon's default
/// timeout 0 = until it is known, -1 = not at all) and meanwhile stream the connection's log lines to
/// the client as control-log events.
/// </summary>
public sealed partial class ViciCommands
{
    private async Task<ViciWriter> InitiateAsync(ViciRequest request)
    {
        var m = request.Message;
        string? child = m.Text("child"), ike = m.Text("ike");
        if (child is null && ike is null)
            return Failure("missing configuration name");
        var (name, problem) = await _loop.InvokeAsync(e => FindConnection(e.Connections, ike, child)).ConfigureAwait(false);
        if (problem is not null)
            return Failure(problem);
        string what = child is null ? $"'{name}'" : $"'{name}' child '{child}'";
        _log.LogInformation("vici: initiate {What}", what);
        request.Session.Control = new ViciControlScope(name, Number(m.Text("loglevel"), 1));
        try
        {
            var operation = _loop.RunOperationAsync((e, done) => e.Initiate(name!, child, done));
            var result = await WaitAsync(operation, Number(m.Text("timeout"), 0), request.Cancel).ConfigureAwait(false);
            if (result is null)
                return Number(m.Text("timeout"), 0) < 0 ? Success() : Failure($"initiating {what} timed out (it goes on in the background)");
            return result.Success ? Success() : Failure(result.Message);
        }
        finally
        {
            request.Session.Control = null;
        }
    }

    /// <summary>The connection to use: ike, else the first that has a child of that name (as charon finds a child config).</summary>
    private static (string? Name, string? Problem) FindConnection(IReadOnlyList<ConnectionConfig> connections, string? ike, string? child)
    {
        if (ike is not null)
            return (ike, ControlHandler.CheckNames(connections, ike, child));
        foreach (var c in connections)
            foreach (var ch in c.Children)
                if (ch.Name == child)
                    return (c.Name, null);
        return (null, $"CHILD_SA config '{child}' not found");
    }

    private static int Number(string? text, int fallback) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n : fallback;

    /// <summary>The operation's result; null when <paramref name="timeoutMs"/> (&gt; 0) passed first or is negative (do not wait).</summary>
    private static async Task<InitiateResult?> WaitAsync(Task<InitiateResult> operation, int timeoutMs, CancellationToken cancel)
    {
        if (timeoutMs < 0)
            return null;
        if (timeoutMs == 0)
            return await operation.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            return await operation.WaitAsync(TimeSpan.FromMilliseconds(timeoutMs), cancel).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// terminate by ike or child name (every SA of that name), or by ike-id / child-id (that one SA, the others of
    /// its connection stay). force = yes does not wait for the peer's answer to the delete.
    /// </summary>
    private async Task<ViciWriter> TerminateAsync(ViciRequest request)
    {
        var m = request.Message;
        string? child = m.Text("child"), ike = m.Text("ike");
        uint ikeId = Id(m.Text("ike-id")), childId = Id(m.Text("child-id"));
        if (child is null && ike is null && ikeId == 0 && childId == 0)
            return Failure("missing terminate selector");
        var sas = await _loop.InvokeAsync(e => e.ListSas()).ConfigureAwait(false);
        var (name, childName, matches, problem) = Select(sas, ike, child, ikeId, childId);
        if (problem is not null)
            return Failure(problem);
        if (matches == 0)
            return Failure("no matching SAs to terminate found").Add("matches", 0).Add("terminated", 0);
        string what = childId != 0 ? $"CHILD_SA #{childId}" : ikeId != 0 ? $"IKE_SA #{ikeId}" : childName ?? "(IKE SA)";
        _log.LogInformation("vici: terminate {Connection} {What}", name, what);
        request.Session.Control = new ViciControlScope(name, Number(m.Text("loglevel"), 1));
        try
        {
            Action<IEngineFacade, Action<InitiateResult>> start = childId != 0
                ? (e, done) => { if (!e.TerminateChild(childId, done)) done(new InitiateResult(false, $"CHILD_SA #{childId} is gone already")); }
                : ikeId != 0
                ? (e, done) => { if (!e.TerminateIke(ikeId, done)) done(new InitiateResult(false, $"IKE_SA #{ikeId} is gone already")); }
                : (e, done) => e.Terminate(name!, childName, done);
            var operation = _loop.RunOperationAsync(start);
            int timeout = m.Flag("force") && m.Text("timeout") is null ? -1 : Number(m.Text("timeout"), 0);
            var result = await WaitAsync(operation, timeout, request.Cancel).ConfigureAwait(false);
            if (result is null)
                return timeout < 0
                    ? Success().Add("matches", matches).Add("terminated", matches)
                    : Failure("terminating timed out (it goes on in the background)").Add("matches", matches).Add("terminated", 0);
            return result.Success
                ? Success().Add("matches", matches).Add("terminated", matches)
                : Failure(result.Message).Add("matches", matches).Add("terminated", 0);
        }
        finally
        {
            request.Session.Control = null;
        }
    }

    /// <summary>Which connection and child a terminate means, and how many SAs that deletes.</summary>
    private static (string? Name, string? Child, int Matches, string? Problem) Select(IReadOnlyList<IkeSaInfo> sas, string? ike, string? child, uint ikeId, uint childId)
    {
        if (ikeId != 0 || childId != 0)
        {
            foreach (var sa in sas)
            {
                if (sa.State == "DESTROYING") continue;
                if (ikeId != 0 && sa.UniqueId == ikeId)
                    return (sa.Name, null, 1, null);
                foreach (var c in sa.Children)
                    if (childId != 0 && c.UniqueId == childId && c.State == "INSTALLED")
                        return (sa.Name, c.Name, 1, null);
            }
            return (null, null, 0, null);
        }
        string? name = ike;
        int matches = 0;
        foreach (var sa in sas)
        {
            if (sa.State == "DESTROYING" || (ike is not null && sa.Name != ike))
                continue;
            if (child is null)
            {
                matches++;
                continue;
            }
            int n = sa.Children.Count(c => c.Name == child && c.State == "INSTALLED");
            if (n > 0)
            {
                if (name is not null && name != sa.Name)
                    return (null, null, 0, $"CHILD_SAs named '{child}' belong to '{name}' and '{sa.Name}': add --ike NAME");
                name = sa.Name;
                matches += n;
            }
        }
        return (name, child, matches, null);
    }

    /// <summary>rekey (or reauth = yes) of the matching established SAs; the exchanges run in the background, as in charon.</summary>
    private async Task<ViciWriter> RekeyAsync(ViciRequest request)
    {
        var m = request.Message;
        string? child = m.Text("child"), ike = m.Text("ike");
        uint ikeId = Id(m.Text("ike-id")), childId = Id(m.Text("child-id"));
        bool reauth = m.Flag("reauth");
        if (child is null && ike is null && ikeId == 0 && childId == 0)
            return Failure("missing rekey selector");
        int matches = await _loop.InvokeAsync(e =>
        {
            int started = 0;
            foreach (var sa in e.ListSas())
            {
                bool ikeMatches = (ike is null || sa.Name == ike) && (ikeId == 0 || sa.UniqueId == ikeId);
                if (!ikeMatches)
                    continue;
                if (child is null && childId == 0)
                {
                    if (reauth ? e.Reauthenticate(sa.UniqueId) : e.RekeyIke(sa.UniqueId)) started++;
                    continue;
                }
                foreach (var c in sa.Children)
                    if ((child is null || c.Name == child) && (childId == 0 || c.UniqueId == childId) && e.RekeyChild(c.UniqueId))
                        started++;
            }
            return started;
        }).ConfigureAwait(false);
        _log.LogInformation("vici: {Action} started for {Matches} SA(s)", reauth ? "reauthentication" : "rekeying", matches);
        return matches > 0 ? Success().Add("matches", matches) : Failure("no matching SAs to rekey found").Add("matches", 0);
    }
}

using Petrel.Crypto.Algorithms;
using Petrel.Ike.Engine;

namespace Petrel.Vici;

/// <summary>
/// get-counters / reset-counters (charon's counters plugin, swanctl --counters [--name NAME | --all] [--reset]) and
/// get-algorithms (swanctl --list-algs). Global counters answer under "", a connection's under its name (--all: every
/// connection that has counted something). The engine's counters only rise (Prometheus reads them too), so
/// reset-counters keeps a baseline per section here and get-counters answers the difference.
/// </summary>
public sealed partial class ViciCommands
{
    private readonly Lock _countersLock = new();
    private readonly Dictionary<string, Dictionary<string, long>> _counterBase = new(StringComparer.Ordinal);

    /// <summary>charon's exchange prefixes in counter names.</summary>
    private static string CounterPrefix(string exchange) => exchange switch
    {
        "IKE_SA_INIT" => "ike-init",
        "IKE_AUTH" => "ike-auth",
        "CREATE_CHILD_SA" => "create-child",
        "INFORMATIONAL" => "info",
        _ => exchange.ToLowerInvariant().Replace('_', '-'),
    };

    private static readonly string[] Exchanges = ["IKE_SA_INIT", "IKE_AUTH", "CREATE_CHILD_SA", "INFORMATIONAL"];

    /// <summary>
    /// Under charon's names where the meaning is the same: messages sent and received per exchange (-out-req,
    /// -out-resp, -in-req, -in-resp; received = authenticated, or IKE_SA_INIT), child-rekey; ike-rekey counts rekeys of
    /// both roles (charon splits it into ike-rekey-init and ike-rekey-resp, Petrel does not); retransmits.
    /// </summary>
    private static SortedDictionary<string, long> Counters(IReadOnlyDictionary<string, long> requestsSent, IReadOnlyDictionary<string, long> responsesSent,
        IReadOnlyDictionary<string, long> requestsReceived, IReadOnlyDictionary<string, long> responsesReceived, long retransmits, long ikeRekeys, long childRekeys)
    {
        var c = new SortedDictionary<string, long>(StringComparer.Ordinal)
        {
            ["ike-rekey"] = ikeRekeys,
            ["child-rekey"] = childRekeys,
            ["retransmits"] = retransmits,
        };
        foreach (var (direction, requests, responses) in new[] { ("out", requestsSent, responsesSent), ("in", requestsReceived, responsesReceived) })
        {
            foreach (var exchange in Exchanges)
            {
                c[$"{CounterPrefix(exchange)}-{direction}-req"] = requests.GetValueOrDefault(exchange);
                c[$"{CounterPrefix(exchange)}-{direction}-resp"] = responses.GetValueOrDefault(exchange);
            }
            foreach (var (exchange, n) in requests) c[$"{CounterPrefix(exchange)}-{direction}-req"] = n;
            foreach (var (exchange, n) in responses) c[$"{CounterPrefix(exchange)}-{direction}-resp"] = n;
        }
        return c;
    }

    private static SortedDictionary<string, long> Counters(IkeActivity a)
    {
        var c = Counters(a.RequestsSent, a.ResponsesSent, a.RequestsReceived, a.ResponsesReceived, a.Retransmits, a.IkeRekeys, a.ChildRekeys);
        c["invalid"] = a.Dropped;
        return c;
    }

    private static SortedDictionary<string, long> Counters(ConnectionActivity a) =>
        Counters(a.RequestsSent, a.ResponsesSent, a.RequestsReceived, a.ResponsesReceived, a.Retransmits, a.IkeRekeys, a.ChildRekeys);

    /// <summary>The sections a request asks for: ("", global) without a name, the named connection's, or every connection's (all).</summary>
    private static List<(string Section, SortedDictionary<string, long> Values)>? Sections(IkeActivity activity, ViciMessage m, out string? error)
    {
        error = null;
        var list = new List<(string, SortedDictionary<string, long>)>();
        if (m.Flag("all"))
        {
            foreach (var (name, c) in activity.Connections.OrderBy(c => c.Key, StringComparer.Ordinal))
                list.Add((name, Counters(c)));
            return list;
        }
        if (m.Text("name") is { Length: > 0 } connection)
        {
            if (!activity.Connections.TryGetValue(connection, out var c))
            {
                error = "no counters found for this connection";
                return null;
            }
            list.Add((connection, Counters(c)));
            return list;
        }
        list.Add(("", Counters(activity)));
        return list;
    }

    private async Task<ViciWriter> GetCountersAsync(ViciRequest request)
    {
        var activity = await _loop.InvokeAsync(e => e.Activity()).ConfigureAwait(false);
        if (activity is null)
            return Failure("no IKE engine runs");
        var sections = Sections(activity, request.Message, out string? error);
        if (sections is null)
            return Failure(error!);
        var w = new ViciWriter().BeginSection("counters");
        lock (_countersLock)
        {
            foreach (var (section, values) in sections)
            {
                w.BeginSection(section);
                var baseline = _counterBase.GetValueOrDefault(section);
                foreach (var (name, value) in values)
                    w.Add(name, value - (baseline?.GetValueOrDefault(name) ?? 0));
                w.EndSection();
            }
        }
        return w.EndSection().Add("success", true);
    }

    private async Task<ViciWriter> ResetCountersAsync(ViciRequest request)
    {
        var activity = await _loop.InvokeAsync(e => e.Activity()).ConfigureAwait(false);
        if (activity is null)
            return Failure("no IKE engine runs");
        var m = request.Message;
        // charon: reset without a name resets the global counters; a name never counted resets nothing and succeeds.
        var sections = m.Flag("all") || m.Text("name") is not { Length: > 0 } name || activity.Connections.ContainsKey(name)
            ? Sections(activity, m, out _) ?? []
            : [];
        // --all resets the global counters too (charon's reset_all).
        if (m.Flag("all"))
            sections.Add(("", Counters(activity)));
        lock (_countersLock)
        {
            foreach (var (section, values) in sections)
                _counterBase[section] = new Dictionary<string, long>(values, StringComparer.Ordinal);
        }
        return Success();
    }

    /// <summary>
    /// get-algorithms: Petrel's algorithm catalogue by charon's type sections (encryption, aead, integrity, prf, ke),
    /// each with the class that implements it where charon names its plugin.
    /// </summary>
    private static Task<ViciWriter> GetAlgorithmsAsync(ViciRequest request)
    {
        var types = new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var entry in AlgorithmCatalog.All)
        {
            (string? type, object? implementation) = entry.Type switch
            {
                TransformType.Encryption when entry.Encryption is { IsAead: true } => ("aead", (object?)entry.Encryption),
                TransformType.Encryption => ("encryption", entry.Encryption),
                TransformType.Integrity => ("integrity", entry.Integrity),
                TransformType.Prf => ("prf", entry.Prf),
                TransformType.KeyExchange => ("ke", entry.KeyExchange),
                _ => ((string?)null, (object?)null),
            };
            if (type is null || implementation is null)
                continue;
            if (!types.TryGetValue(type, out var names))
                types[type] = names = new SortedDictionary<string, string>(StringComparer.Ordinal);
            names[entry.Name] = implementation.GetType().Name;
        }
        var w = new ViciWriter();
        foreach (var (type, names) in types)
        {
            w.BeginSection(type);
            foreach (var (name, implementation) in names)
                w.Add(name, implementation);
            w.EndSection();
        }
        return Task.FromResult(w);
    }
}

using Petrel.Crypto.Algorithms;
using Petrel.Ike.Engine;

namespace Petrel.Vici;

/// <summary>
/// get-counters / reset-counters (charon's counters plugin, swanctl --counters) and get-algorithms (swanctl --list-algs).
/// Petrel counts globally, not per connection. The engine's counters only rise (Prometheus reads them too),
/// so reset-counters keeps a baseline here and get-counters answers the difference.
/// </summary>
public sealed partial class ViciCommands
{
    private readonly Lock _countersLock = new();
    private Dictionary<string, long> _counterBase = new(StringComparer.Ordinal);

    /// <summary>charon's exchange prefixes in counter names.</summary>
    private static string CounterPrefix(string exchange) => exchange switch
    {
        "IKE_SA_INIT" => "ike-init",
        "IKE_AUTH" => "ike-auth",
        "CREATE_CHILD_SA" => "create-child",
        "INFORMATIONAL" => "info",
        _ => exchange.ToLowerInvariant().Replace('_', '-'),
    };

    /// <summary>
    /// The counters Petrel has, under charon's names where the meaning is the same: requests and responses sent per
    /// exchange (-out-req, -out-resp), child-rekey, invalid (datagrams dropped); ike-rekey counts rekeys of both roles
    /// (charon splits it into ike-rekey-init and ike-rekey-resp, Petrel does not).
    /// </summary>
    private static SortedDictionary<string, long> Counters(IkeActivity a)
    {
        var c = new SortedDictionary<string, long>(StringComparer.Ordinal)
        {
            ["ike-rekey"] = a.IkeRekeys,
            ["child-rekey"] = a.ChildRekeys,
            ["invalid"] = a.Dropped,
            ["retransmits"] = a.Retransmits,
        };
        foreach (var exchange in (string[])["IKE_SA_INIT", "IKE_AUTH", "CREATE_CHILD_SA", "INFORMATIONAL"])
        {
            c[$"{CounterPrefix(exchange)}-out-req"] = a.RequestsSent.GetValueOrDefault(exchange);
            c[$"{CounterPrefix(exchange)}-out-resp"] = a.ResponsesSent.GetValueOrDefault(exchange);
        }
        foreach (var (exchange, n) in a.RequestsSent) c[$"{CounterPrefix(exchange)}-out-req"] = n;
        foreach (var (exchange, n) in a.ResponsesSent) c[$"{CounterPrefix(exchange)}-out-resp"] = n;
        return c;
    }

    private static ViciWriter? PerConnectionRefusal(ViciMessage m) =>
        m.Flag("all") || m.Text("name") is { Length: > 0 }
            ? Failure("Petrel keeps global IKE counters only, not per connection: omit --name and --all")
            : null;

    private async Task<ViciWriter> GetCountersAsync(ViciRequest request)
    {
        if (PerConnectionRefusal(request.Message) is { } refusal)
            return refusal;
        var activity = await _loop.InvokeAsync(e => e.Activity()).ConfigureAwait(false);
        if (activity is null)
            return Failure("no IKE engine runs");
        var w = new ViciWriter().BeginSection("counters").BeginSection("");
        lock (_countersLock)
        {
            foreach (var (name, value) in Counters(activity))
                w.Add(name, value - _counterBase.GetValueOrDefault(name));
        }
        return w.EndSection().EndSection().Add("success", true);
    }

    private async Task<ViciWriter> ResetCountersAsync(ViciRequest request)
    {
        if (PerConnectionRefusal(request.Message) is { } refusal)
            return refusal;
        var activity = await _loop.InvokeAsync(e => e.Activity()).ConfigureAwait(false);
        if (activity is null)
            return Failure("no IKE engine runs");
        lock (_countersLock)
            _counterBase = new Dictionary<string, long>(Counters(activity), StringComparer.Ordinal);
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

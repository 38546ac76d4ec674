namespace Petrel.Tests.Interop;

/// <summary>
/// One row of the mode matrix: protocol (ESP/AH), mode (tunnel/transport), outer path (raw IP or
/// UDP 4500) and IP version, with the proposal the child uses. Serializable as its name so xunit
/// lists each row.
/// </summary>
public sealed record ModesCase(int Index, bool Ah, bool Transport, bool Udp, bool Ipv6, string ChildProposal)
{
    public string Name => $"{(Ah ? "AH" : "ESP")} {(Transport ? "transport" : "tunnel")} {(Udp ? "UDP 4500" : "raw")} IPv{(Ipv6 ? 6 : 4)} ({ChildProposal})";
    public string Connection => $"md{Index}";
    public string Child => $"md{Index}c";
    public override string ToString() => Name;

    /// <summary>ESP tunnel raw/UDP, ESP transport raw/UDP, AH tunnel raw, AH transport raw; each IPv4 and IPv6. IPv6 rows use ESN.</summary>
    public static IReadOnlyList<ModesCase> All { get; } = Build();

    private static List<ModesCase> Build()
    {
        var rows = new List<ModesCase>();
        foreach (bool v6 in new[] { false, true })
        {
            string esn = v6 ? "-esn" : "";
            rows.Add(new(rows.Count, false, false, false, v6, "aes128gcm16" + esn));
            rows.Add(new(rows.Count, false, false, true, v6, "aes128gcm16" + esn));
            rows.Add(new(rows.Count, false, true, false, v6, "aes128-sha256" + esn));
            rows.Add(new(rows.Count, false, true, true, v6, "aes128gcm16" + esn));
            rows.Add(new(rows.Count, true, false, false, v6, "sha256" + esn));
            rows.Add(new(rows.Count, true, true, false, v6, "sha256" + esn));
        }
        return rows;
    }
}

namespace Petrel.Ike.Radius;

/// <summary>
/// petrel { eap-radius { … } }: strongSwan's charon.plugins.eap-radius options that Petrel implements.
/// Retransmission follows strongSwan's eap-radius: timeout × base^n per try, <see cref="RetransmitTries"/>
/// tries per server, then the next server.
/// </summary>
public sealed record RadiusSettings
{
    public IReadOnlyList<RadiusServer> Servers { get; init; } = [];

    /// <summary>NAS-Identifier (strongSwan's default is "strongSwan").</summary>
    public string NasIdentifier { get; init; } = "Petrel";

    public TimeSpan RetransmitTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public double RetransmitBase { get; init; } = 1.4;
    public int RetransmitTries { get; init; } = 4;

    /// <summary>RFC 2866 accounting: Start when a client's IKE SA is up, Stop when it goes, Interim-Update in between.</summary>
    public bool Accounting { get; init; }

    /// <summary>Interim-Update interval unless the Access-Accept names one (Acct-Interim-Interval); zero: none.</summary>
    public TimeSpan AccountingInterval { get; init; }

    /// <summary>Servers as tried: highest preference first, in configuration order among equals.</summary>
    public IReadOnlyList<RadiusServer> ByPreference() =>
        [.. Servers.Select((s, i) => (s, i)).OrderByDescending(p => p.s.Preference).ThenBy(p => p.i).Select(p => p.s)];
}

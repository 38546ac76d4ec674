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

    /// <summary>dae { enable = yes … }: RFC 5176 Disconnect/CoA from the RADIUS side; null: off.</summary>
    public RadiusDaeSettings? Dae { get; init; }

    /// <summary>Same servers (address, ports, secret, preference, NAS-Identifier) and the same options: a reload need not replace the client.</summary>
    public bool SameAs(RadiusSettings? other) =>
        other is not null && NasIdentifier == other.NasIdentifier && RetransmitTimeout == other.RetransmitTimeout
        && RetransmitBase.Equals(other.RetransmitBase) && RetransmitTries == other.RetransmitTries && Accounting == other.Accounting
        && AccountingInterval == other.AccountingInterval && Servers.Count == other.Servers.Count
        && Servers.Zip(other.Servers).All(p => p.First.SameAs(p.Second));

    /// <summary>The waits of one server's tries: timeout × base^n for n below <see cref="RetransmitTries"/>.</summary>
    public IEnumerable<TimeSpan> TryWaits()
    {
        var t = RetransmitTimeout;
        for (int i = 0; i < Math.Max(1, RetransmitTries); i++)
        {
            yield return t;
            t = TimeSpan.FromTicks((long)(t.Ticks * RetransmitBase));
        }
    }

    /// <summary>How long one request waits when no server answers: every server gets all its tries.</summary>
    public TimeSpan FailoverBudget() => TimeSpan.FromTicks(TryWaits().Sum(t => t.Ticks) * Math.Max(1, Servers.Count));

    /// <summary>"2 + 2.8 + 3.9 s" for messages.</summary>
    public string DescribeTries() => string.Join(" + ", TryWaits().Select(t => t.TotalSeconds.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture))) + " s";

    /// <summary>Servers as tried: highest preference first, in configuration order among equals.</summary>
    public IReadOnlyList<RadiusServer> ByPreference() =>
        [.. Servers.Select((s, i) => (s, i)).OrderByDescending(p => p.s.Preference).ThenBy(p => p.i).Select(p => p.s)];
}

namespace Petrel.Ike.Radius;

/// <summary>
/// The accounting of one client's IKE SA: its session (Start sent), when the next Interim-Update is due (zero
/// interval: none) and the traffic of CHILD_SAs already gone (rekeyed or closed), which the later records still count.
/// </summary>
public sealed class RadiusSaAccounting(AccountingSession session, TimeSpan interval, TimeSpan now)
{
    public AccountingSession Session { get; } = session;
    public TimeSpan Interval { get; } = interval;
    public TimeSpan NextInterim { get; set; } = interval > TimeSpan.Zero ? now + interval : TimeSpan.MaxValue;
    public AccountingCounters Retired { get; private set; }

    public void Retire(AccountingCounters gone) => Retired = Retired + gone;
}

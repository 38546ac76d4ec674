using System.Net;
using Petrel.DataPlane.Kernel;
using Petrel.Ike.Radius;

namespace Petrel.Ike.Engine;

/// <summary>
/// EAP-RADIUS (<see cref="RadiusEapServer"/> passes the EAP conversation through; its answers come back on the engine's
/// thread and resume the deferred IKE_AUTH request) and RFC 2866 accounting of the clients it authenticated: Start once
/// the IKE SA is up, Interim-Update every interval (the Access-Accept's Acct-Interim-Interval, else
/// accounting_interval), Stop when the IKE SA goes, with the bytes and packets of all its CHILD_SAs, rekeyed ones
/// included. An IKE SA rekey keeps the session; a reauthentication starts a new one.
/// </summary>
public sealed partial class IkeEngine
{
    /// <summary>petrel { eap-radius { … } }: the daemon sets it; null: auth = eap-radius cannot start.</summary>
    public RadiusService? Radius { get; set; }

    RadiusService? IIkeContext.Radius => Radius;

    /// <summary>The traffic of one CHILD_SA as accounting counts it (in = from the client).</summary>
    internal static AccountingCounters Traffic(IIpsecKernel kernel, ChildSa c)
    {
        if (!c.Installed) return default;
        kernel.TryGetCounters(c.SpiIn, SaDirection.Inbound, out var cin);
        kernel.TryGetCounters(c.SpiOut, SaDirection.Outbound, out var cout);
        return new AccountingCounters(cin.Bytes, cout.Bytes, cin.Packets, cout.Packets);
    }

    private AccountingCounters Traffic(IkeSa sa, RadiusSaAccounting accounting)
    {
        var sum = accounting.Retired;
        foreach (var c in sa.Children) sum += Traffic(Kernel, c);
        return sum;
    }

    /// <summary>The client's IKE SA is up after EAP-RADIUS: Accounting-Request Start (with accounting = yes).</summary>
    internal void StartAccounting(IkeSa sa, RadiusEapOutcome accept, string userName)
    {
        if (Radius is not { Settings.Accounting: true } radius) return;
        var now = Clock.UtcNow.UtcDateTime;
        var session = new AccountingSession($"{new DateTimeOffset(now).ToUnixTimeSeconds()}-{sa.UniqueId}", userName, RadiusContext(sa), now)
        {
            FramedIp = sa.PeerVips.Select(v => v.Address).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork),
            Classes = accept.Classes,
            Server = accept.Server,
        };
        var interval = accept.InterimInterval ?? radius.Settings.AccountingInterval;
        sa.RadiusAccounting = new RadiusSaAccounting(session, interval, Clock.Now);
        Log.Info(sa, $"RADIUS accounting Start for '{userName}' (session {session.SessionId}{(interval > TimeSpan.Zero ? $", interim every {interval.TotalSeconds:0} s" : "")})");
        radius.Send($"Start of session {session.SessionId}", () => radius.Accounting.StartAsync(session, now));
    }

    /// <summary>Interim-Updates that are due.</summary>
    private void TickAccounting(TimeSpan now)
    {
        if (Radius is not { } radius) return;
        foreach (var sa in _sas.All)
        {
            if (sa.RadiusAccounting is not { } a || now < a.NextInterim || sa.State != IkeSaState.Established) continue;
            a.NextInterim = now + a.Interval;
            var counters = Traffic(sa, a);
            var at = Clock.UtcNow.UtcDateTime;
            radius.Send($"Interim-Update of session {a.Session.SessionId}", () => radius.Accounting.InterimAsync(a.Session, counters, at));
        }
    }

    /// <summary>A CHILD_SA leaves the data plane: its traffic stays in the session's totals.</summary>
    internal static void RetireAccounting(IIpsecKernel kernel, IkeSa sa, ChildSa child)
    {
        if (sa.RadiusAccounting is { } a) a.Retire(Traffic(kernel, child));
    }

    /// <summary>The IKE SA goes (its CHILD_SAs already retired): Accounting-Request Stop.</summary>
    private void StopAccounting(IkeSa sa, string reason)
    {
        if (sa.RadiusAccounting is not { } a || Radius is not { } radius) return;
        sa.RadiusAccounting = null;
        var counters = Traffic(sa, a);
        var now = Clock.UtcNow.UtcDateTime;
        // RFC 2866 §5.10: the client left (its DELETE), the client vanished, or we ended it.
        uint cause = sa.RadiusTerminateCause ?? (reason.Contains("not responding", StringComparison.Ordinal) || reason.Contains("does not answer", StringComparison.Ordinal)
            ? RadiusAccounting.CauseLostService
            : reason.StartsWith("Informational", StringComparison.OrdinalIgnoreCase) || reason == "deleted by peer"
                ? RadiusAccounting.CauseUserRequest
                : RadiusAccounting.CauseNasRequest);
        Log.Info(sa, $"RADIUS accounting Stop for '{a.Session.UserName}' (session {a.Session.SessionId}: {counters.BytesIn} bytes / {counters.PacketsIn} packets in, {counters.BytesOut} bytes / {counters.PacketsOut} packets out)");
        radius.Send($"Stop of session {a.Session.SessionId}", () => radius.Accounting.StopAsync(a.Session, counters, now, cause));
    }

    IkeSa? IIkeSaTable.VipHolder(IPAddress address, IkeSa except)
    {
        foreach (var other in _sas.All)
        {
            if (ReferenceEquals(other, except) || other.State == IkeSaState.Destroying) continue;
            foreach (var vip in other.PeerVips)
                if (vip.Address.Equals(address)) return other;
        }
        return null;
    }

    /// <summary>Who asks, for the RADIUS server: NAS-Port is the IKE SA's unique id, the stations are the IKE endpoints.</summary>
    internal static RadiusSessionContext RadiusContext(IkeSa sa) =>
        new(sa.UniqueId, new IPEndPoint(sa.Local.Address, sa.Local.Port), new IPEndPoint(sa.Remote.Address, sa.Remote.Port));
}

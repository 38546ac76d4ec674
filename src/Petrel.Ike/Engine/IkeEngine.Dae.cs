using Petrel.Ike.Radius;

namespace Petrel.Ike.Engine;

/// <summary>
/// RADIUS Dynamic Authorization (RFC 5176, <see cref="RadiusDae"/>) on the engine's thread: the IKE SAs a request
/// names, matched as strongSwan's eap-radius does (User-Name against the client's EAP identity, else its IKE identity,
/// wildcards as in remote id), narrowed to one accounting session by Acct-Session-Id when the request carries one.
/// A Disconnect-Request deletes them; a CoA-Request's Session-Timeout makes them end that many seconds from now.
/// </summary>
public sealed partial class IkeEngine
{
    public DaeAnswer ApplyDae(DaeRequest request)
    {
        var matched = _sas.All.Where(sa => sa.State == IkeSaState.Established && DaeMatches(sa, request)).ToList();
        var now = Clock.Now;
        foreach (var sa in matched)
        {
            if (request.Disconnect)
            {
                Log.Info(sa, $"RADIUS Disconnect-Request for {request.Describe()}: deleting IKE_SA {sa.Tag}");
                sa.RadiusTerminateCause = RadiusAccounting.CauseAdminReset;
                DeleteIkeSa(sa, _ => { });
            }
            else if (request.SessionTimeout is { } timeout)
            {
                var at = now + timeout;
                if (at < sa.ExpireAt) sa.ExpireAt = at;
                Log.Info(sa, $"RADIUS CoA-Request for {request.Describe()}: IKE_SA {sa.Tag} ends in {timeout.TotalSeconds:0} s (Session-Timeout)");
            }
        }
        return new DaeAnswer(matched.Count);
    }

    private static bool DaeMatches(IkeSa sa, DaeRequest request)
    {
        if (request.SessionIds.Count > 0 && (sa.RadiusAccounting is not { } a || !request.SessionIds.Contains(a.Session.SessionId)))
            return false;
        if (request.UserNames.Count == 0) return true;
        string? who = sa.EapIdentity ?? sa.RemoteId?.ToString();
        if (who is null) return false;
        foreach (var user in request.UserNames)
        {
            if (string.Equals(user, who, StringComparison.Ordinal)) return true;
            if (Wire.Identity.TryParse(user, out var pattern, out _) && Wire.Identity.TryParse(who, out var id, out _) && pattern!.Matches(id!))
                return true;
        }
        return false;
    }
}

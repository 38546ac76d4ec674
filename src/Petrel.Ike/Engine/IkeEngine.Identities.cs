namespace Petrel.Ike.Engine;

/// <summary>
/// The identities list-sas shows. strongSwan's IKE SA takes each authentication round's IDi/IDr as its own and the
/// peer's identity (RFC 4739), so swanctl --list-sas prints the last round's; Petrel keeps the first round's as the SA's
/// identity (uniqueness, leases) and shows the last one, like strongSwan, with every round in <see cref="IkeSaInfo.AuthRounds"/>.
/// IKEv1's XAuth round keeps the Phase 1 identity, as strongSwan shows it.
/// </summary>
public sealed partial class IkeEngine
{
    internal static string ListedIdentity(IkeSa sa, bool local)
    {
        if (sa.Version != 1)
        {
            AuthRoundInfo? last = null;
            foreach (var r in sa.CompletedRounds)
                if (r.Local == local && r.Round > 1 && (last is null || r.Round > last.Round)) last = r;
            if (last is not null && last.Identity.Length > 0) return last.Identity;
        }
        return (local ? sa.LocalId : sa.RemoteId)?.ToString() ?? "";
    }
}

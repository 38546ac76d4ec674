using Petrel.Ike.Config;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V2.IkeAuth;

/// <summary>
/// What the responder keeps while the initiator authenticates in several rounds (RFC 4739): the first IKE_AUTH
/// request (its SA, TS and CP make the CHILD_SA and the virtual IP once the last round passed), our IDr (every
/// EAP round's AUTH covers it) and how many of the connection's remote rounds have passed.
/// </summary>
internal sealed class AuthRoundsState(IkeMessage firstRequest, IdentificationPayload idr)
{
    public IkeMessage FirstRequest { get; } = firstRequest;
    public IdentificationPayload Idr { get; } = idr;
    public int Done { get; set; } = 1;
}

/// <summary>The responder's checks and last step for several authentication rounds (RFC 4739).</summary>
internal static class AuthRoundSteps
{
    /// <summary>
    /// After the peer's round <paramref name="done"/> passed: null when its ANOTHER_AUTH_FOLLOWS (or its absence) fits the
    /// connection's remote rounds, else why not.
    /// </summary>
    public static string? Mismatch(ConnectionConfig c, Identity peer, int done, bool anotherFollows)
    {
        int count = c.RemoteRounds.Count;
        if (anotherFollows && done >= count)
            return $"peer '{peer}' announces another authentication round (ANOTHER_AUTH_FOLLOWS) after round {done}, but connection '{c.Name}' has {count}";
        if (!anotherFollows && done < count)
        {
            var next = c.RemoteRounds[done];
            return $"peer '{peer}' finished authenticating after round {done}, but connection '{c.Name}' requires {count} rounds ({next.Section} with auth = {next.Auth} is missing)";
        }
        return null;
    }

    /// <summary>
    /// Every round passed: the uniqueness policy, then the SA is established and the first request's CFG_REQUEST and
    /// CHILD_SA are answered in <paramref name="response"/>. Returns true when the IKE SA must go (only what the policy refused).
    /// </summary>
    public static bool Establish(IIkeContext context, IkeSa sa, IkeMessage first, IkeMessage response)
    {
        sa.AuthRounds = null;
        // RFC 7296 §2.4: INITIAL_CONTACT says the peer has no other SAs with us; old ones are stale (it restarted).
        // unique = keep refuses this SA while an established duplicate exists (strongSwan's check_uniqueness).
        if (context.Sas.CheckUniqueness(sa, first.GetNotify(NotifyType.InitialContact) is not null))
        {
            context.Log.Warn(sa, "cancelling IKE_SA setup due to uniqueness policy, sending AUTHENTICATION_FAILED");
            context.Events.Failed(sa, SaFailure.Identity, "cancelling IKE_SA setup due to uniqueness policy, sending AUTHENTICATION_FAILED");
            response.Payloads.Clear();
            response.Payloads.Add(new NotifyPayload(NotifyType.AuthenticationFailed));
            return true;
        }
        context.Sas.Established(sa);
        // The configuration payload came with the first request (RFC 7296 §2.16, §3.15).
        ConfigurationAttributesResponder.Respond(context, sa, first, response);
        if (sa.RadiusAccept is { } accept) context.Sas.StartAccounting(sa, accept, sa.EapIdentity ?? "");
        if (first.Get<SecurityAssociationPayload>() is not null)
        {
            var notify = context.Children.Respond(sa, first, response, default, sa.Ni, sa.Nr, allowKeyExchange: false, null, out _, out string reason);
            if (notify is { } n)
            {
                context.Log.Warn(sa, reason + $", sending {NotifyNames.Of(n)}");
                response.Payloads.Add(new NotifyPayload(n));
            }
        }
        // §2.17: the first CHILD_SA's KEYMAT took the IKE_SA_INIT nonces; after it nothing needs them.
        sa.ReleaseHandshakeState();
        return false;
    }
}

namespace Petrel.Ike.Sa;

internal sealed partial class IkeSa
{
    /// <summary>RFC 2866 accounting of a client authenticated through RADIUS; null otherwise.</summary>
    public Radius.RadiusSaAccounting? RadiusAccounting { get; set; }

    /// <summary>Acct-Terminate-Cause for the Stop record when we know better than the delete's reason (a DAE Disconnect: Admin-Reset).</summary>
    public uint? RadiusTerminateCause { get; set; }

    /// <summary>What the RADIUS server's Access-Accept gave this client (Framed-IP-Address, DNS, Class); null without EAP-RADIUS.</summary>
    public Radius.RadiusEapOutcome? RadiusAccept { get; set; }
}

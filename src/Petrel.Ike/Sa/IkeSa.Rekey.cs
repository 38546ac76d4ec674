namespace Petrel.Ike.Sa;

/// <summary>Lifetimes, rekeying and reauthentication state of an IKE SA (RFC 7296 §1.3.2, §2.8).</summary>
internal sealed partial class IkeSa
{
    public TimeSpan RekeyAt { get; set; } = LifetimeSchedule.Never;
    public TimeSpan ReauthAt { get; set; } = LifetimeSchedule.Never;
    public TimeSpan ExpireAt { get; set; } = LifetimeSchedule.Never;

    /// <summary>Our IKE rekey exchange once it is on the wire.</summary>
    public IkeRekeyTask? RekeyTask { get; set; }

    /// <summary>The peer rekeyed this IKE SA: the new SA and the nonces of that exchange.</summary>
    public IkeSa? PeerReplacement { get; set; }
    public byte[] PeerNi { get; set; } = [];
    public byte[] PeerNr { get; set; } = [];

    /// <summary>The IKE SA that took over from this one (rekey or reauthentication).</summary>
    public IkeSa? Successor { get; set; }

    /// <summary>For a reauthentication: the SA this new one replaces once it is established.</summary>
    public IkeSa? Reauthenticates { get; set; }
}

using Petrel.Crypto.Primitives;
using Petrel.Ike.Config;

namespace Petrel.Ike.Sa;

/// <summary>
/// When an SA is rekeyed and when it expires, with strongSwan's semantics (swanctl.conf):
/// CHILD_SA: rekey at rekey_time − jitter, jitter uniform in [0, rand_time]; hard expiry at life_time
/// (default rekey_time + 10 %); rand_time defaults to life_time − rekey_time.
/// IKE SA: rekey at rekey_time − jitter and reauthenticate at reauth_time − jitter, jitter uniform in
/// [0, rand_time] (default over_time); hard expiry over_time (default 10 % of the longer of the two)
/// after the later of the jittered times. Zero disables a timer. Counts (bytes/packets) have no jitter.
/// </summary>
public readonly record struct LifetimeSchedule(TimeSpan RekeyIn, TimeSpan ReauthIn, TimeSpan ExpireIn)
{
    public static readonly TimeSpan Never = TimeSpan.MaxValue;

    /// <summary>CHILD_SA: time from installation to soft (rekey) and hard (delete) expiry; <see cref="Never"/> when off.</summary>
    public static LifetimeSchedule ForChild(ChildConfig c, IRandom random)
    {
        var rekey = c.RekeyTime;
        var life = c.LifeTime ?? (rekey > TimeSpan.Zero ? rekey + rekey / 10 : TimeSpan.Zero);
        var rand = c.RandTime ?? (life > rekey ? life - rekey : TimeSpan.Zero);
        var rekeyIn = Never;
        if (rekey > TimeSpan.Zero)
        {
            // A jitter that would rekey before the SA is usable is clamped, as strongSwan clamps it to rekey_time.
            if (rand >= rekey) rand = TimeSpan.Zero;
            rekeyIn = rekey - Jitter(rand, random);
        }
        return new LifetimeSchedule(rekeyIn, Never, life > TimeSpan.Zero ? life : Never);
    }

    /// <summary>IKE SA: time from establishment to rekey, reauthentication and hard expiry.</summary>
    public static LifetimeSchedule ForIke(ConnectionConfig c, IRandom random)
    {
        var longest = c.RekeyTime > c.ReauthTime ? c.RekeyTime : c.ReauthTime;
        var over = c.OverTime ?? longest / 10;
        var rand = c.RandTime ?? over;
        var rekeyIn = c.RekeyTime > TimeSpan.Zero ? c.RekeyTime - Jitter(rand < c.RekeyTime ? rand : TimeSpan.Zero, random) : Never;
        var reauthIn = c.ReauthTime > TimeSpan.Zero ? c.ReauthTime - Jitter(rand < c.ReauthTime ? rand : TimeSpan.Zero, random) : Never;
        var expireIn = Never;
        if (rekeyIn != Never || reauthIn != Never)
        {
            var later = rekeyIn == Never ? reauthIn : reauthIn == Never ? rekeyIn : (rekeyIn > reauthIn ? rekeyIn : reauthIn);
            expireIn = later + over;
        }
        return new LifetimeSchedule(rekeyIn, reauthIn, expireIn);
    }

    /// <summary>Uniform in [0, max] with millisecond resolution.</summary>
    public static TimeSpan Jitter(TimeSpan max, IRandom random)
    {
        if (max <= TimeSpan.Zero) return TimeSpan.Zero;
        Span<byte> b = stackalloc byte[8];
        random.Fill(b);
        ulong r = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(b);
        ulong range = (ulong)max.TotalMilliseconds + 1;
        return TimeSpan.FromMilliseconds(r % range);
    }

    /// <summary>now + span, saturating at <see cref="Never"/>.</summary>
    public static TimeSpan At(TimeSpan now, TimeSpan span) => span == Never || span > Never - now ? Never : now + span;
}

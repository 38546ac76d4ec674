using Petrel.Ike.Config;
using Petrel.Ike.V1.Wire;

namespace Petrel.Ike.V1.QuickMode;

/// <summary>
/// Quick Mode SA lifetimes (RFC 2407 §4.5, §4.6.3.1). Both travel as transform attributes: seconds, and kilobytes of
/// 1000 octets as strongSwan counts them (life_bytes / 1000). strongSwan's responder takes the initiator's values and
/// echoes them; Petrel echoes them too, and when its own configured lifetime is lower it adds RESPONDER-LIFETIME with
/// that value and keeps it. An initiator takes a RESPONDER-LIFETIME lower than what it offered (strongSwan neither
/// sends nor reads this notify, so against strongSwan only the echoed transform counts).
/// </summary>
internal static class QuickModeLifetimes
{
    /// <summary>What a child offers: life_time (else rekey_time + 10 %, strongSwan's default margin) and life_bytes.</summary>
    public static (ulong Seconds, ulong Kilobytes) Configured(ChildConfig config)
    {
        var life = config.LifeTime ?? config.RekeyTime * 1.1;
        return ((ulong)Math.Max(0, life.TotalSeconds), config.LifeBytes / 1000);
    }

    /// <summary>The lower of two limits where 0 means none.</summary>
    public static ulong Lower(ulong a, ulong b) => a == 0 ? b : b == 0 ? a : Math.Min(a, b);

    public static string Describe(ulong seconds, ulong kilobytes) =>
        $"{(seconds > 0 ? $"{seconds}s" : "no time limit")}{(kilobytes > 0 ? $" / {kilobytes} kB" : "")}";

    /// <summary>RESPONDER-LIFETIME's data: the lifetimes as SA attributes (type, duration pairs).</summary>
    public static byte[] EncodeAttributes(ulong seconds, ulong kilobytes)
    {
        var attributes = new List<SaAttribute>();
        if (seconds > 0)
        {
            attributes.Add(SaAttribute.Of(Phase2Attribute.LifeType, LifeType.Seconds));
            attributes.Add(SaAttribute.Number(Phase2Attribute.LifeDuration, seconds));
        }
        if (kilobytes > 0)
        {
            attributes.Add(SaAttribute.Of(Phase2Attribute.LifeType, LifeType.Kilobytes));
            attributes.Add(SaAttribute.Number(Phase2Attribute.LifeDuration, kilobytes));
        }
        var bytes = new byte[attributes.Sum(a => a.EncodedLength)];
        var w = new Petrel.Ike.Wire.IkeWriter(bytes);
        foreach (var a in attributes) a.Write(ref w);
        return bytes;
    }

    /// <summary>Reads RESPONDER-LIFETIME's attributes; false when they do not parse.</summary>
    public static bool TryDecodeAttributes(byte[] data, out ulong seconds, out ulong kilobytes)
    {
        seconds = kilobytes = 0;
        var r = new Petrel.Ike.Wire.IkeReader(data);
        var attributes = new List<SaAttribute>();
        while (!r.End)
        {
            if (!SaAttribute.TryRead(ref r, out var a)) return false;
            attributes.Add(a!);
        }
        QuickModeProposals.Lifetimes(new V1Transform(0, 0, attributes), out seconds, out kilobytes);
        return true;
    }
}

using Petrel.Ike.V1.Wire;
using Petrel.Ike.Wire;

namespace Petrel.Ike.V1.ModeConfig;

/// <summary>ISAKMP_CFG message types of the Attribute payload (draft-dukes-ike-mode-cfg §3.1).</summary>
public enum CfgType : byte
{
    Request = 1,
    Reply = 2,
    Set = 3,
    Ack = 4,
}

/// <summary>
/// The Attribute payload (ISAKMP payload 14, draft-dukes-ike-mode-cfg §3.1): CFG type, reserved, identifier, then
/// attributes in the data-attribute format of RFC 2408 §3.3 (TV when the AF bit is set, else TLV), the same
/// encoding as SA attributes. XAuth (draft-ietf-ipsec-isakmp-xauth) rides in it with its own attribute types.
/// </summary>
public sealed record CfgPayload(CfgType Type, ushort Identifier, IReadOnlyList<SaAttribute> Attributes)
{
    public const int MaxAttributes = 64;

    public SaAttribute? Get(ushort type) => Attributes.FirstOrDefault(a => a.Type == type);

    public byte[] Encode()
    {
        var body = new byte[4 + Attributes.Sum(a => a.EncodedLength)];
        var w = new IkeWriter(body);
        w.WriteUInt8((byte)Type);
        w.WriteUInt8(0);
        w.WriteUInt16(Identifier);
        foreach (var a in Attributes) a.Write(ref w);
        return body;
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, out CfgPayload? payload, out string error)
    {
        payload = null;
        var r = new IkeReader(body);
        if (!r.TryReadUInt8(out byte type) || !r.TrySkip(1) || !r.TryReadUInt16(out ushort identifier))
        {
            error = "attribute payload shorter than 4 octets";
            return false;
        }
        if (type is < 1 or > 4)
        {
            error = $"unknown ISAKMP_CFG type {type}";
            return false;
        }
        var attributes = new List<SaAttribute>();
        while (!r.End)
        {
            if (attributes.Count >= MaxAttributes || !SaAttribute.TryRead(ref r, out var a))
            {
                error = attributes.Count >= MaxAttributes ? $"more than {MaxAttributes} attributes" : "truncated attribute";
                return false;
            }
            attributes.Add(a!);
        }
        payload = new CfgPayload((CfgType)type, identifier, attributes);
        error = "";
        return true;
    }

    public override string ToString() => $"{CfgNames.Type(Type)} [{string.Join(' ', Attributes.Select(a => CfgNames.Attribute(a.Type)))}]";
}

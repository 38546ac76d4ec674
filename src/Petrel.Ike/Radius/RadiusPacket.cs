using System.Buffers.Binary;

namespace Petrel.Ike.Radius;

//  RFC 2865 §3 Packet Format
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |     Code      |  Identifier   |            Length             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                                                               |
//  |                         Authenticator                         |
//  |                                                               |
//  |                                                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  Attributes ...
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// <summary>A RADIUS packet (RFC 2865 §3): 20 to 4096 octets. Decoding never throws.</summary>
public sealed class RadiusPacket
{
    public const int HeaderLength = 20, MaxLength = 4096, AuthenticatorLength = 16;

    public RadiusPacket(RadiusCode code, byte identifier, byte[] authenticator, List<RadiusAttribute>? attributes = null)
    {
        Code = code;
        Identifier = identifier;
        Authenticator = authenticator;
        Attributes = attributes ?? [];
    }

    public RadiusCode Code { get; }
    public byte Identifier { get; }
    public byte[] Authenticator { get; set; }
    public List<RadiusAttribute> Attributes { get; }

    public int Length
    {
        get
        {
            int n = HeaderLength;
            foreach (var a in Attributes) n += 2 + a.Value.Length;
            return n;
        }
    }

    public RadiusPacket Add(RadiusAttribute attribute)
    {
        if (attribute.Value.Length > RadiusAttribute.MaxValueLength)
            throw new ArgumentException($"RADIUS attribute {attribute.Type} is {attribute.Value.Length} octets; at most {RadiusAttribute.MaxValueLength} fit");
        Attributes.Add(attribute);
        return this;
    }

    /// <summary>An EAP packet as consecutive EAP-Message attributes of up to 253 octets (RFC 3579 §3.1).</summary>
    public RadiusPacket AddEapMessage(ReadOnlySpan<byte> eap)
    {
        do
        {
            int n = Math.Min(eap.Length, RadiusAttribute.MaxValueLength);
            Attributes.Add(new RadiusAttribute(RadiusAttributeType.EapMessage, eap[..n].ToArray()));
            eap = eap[n..];
        }
        while (!eap.IsEmpty);
        return this;
    }

    /// <summary>The EAP-Message attributes joined (RFC 3579 §3.1), or null without any.</summary>
    public byte[]? EapMessage()
    {
        int total = 0;
        bool any = false;
        foreach (var a in Attributes)
            if (a.Type == RadiusAttributeType.EapMessage) { total += a.Value.Length; any = true; }
        if (!any) return null;
        var eap = new byte[total];
        int at = 0;
        foreach (var a in Attributes)
        {
            if (a.Type != RadiusAttributeType.EapMessage) continue;
            a.Value.CopyTo(eap, at);
            at += a.Value.Length;
        }
        return eap;
    }

    public RadiusAttribute? Find(byte type)
    {
        foreach (var a in Attributes)
            if (a.Type == type) return a;
        return null;
    }

    /// <summary>The value of the vendor's sub-attribute inside a Vendor-Specific attribute (RFC 2865 §5.26), or null.</summary>
    public byte[]? FindVendor(uint vendorId, byte vendorType)
    {
        foreach (var a in Attributes)
        {
            if (a.Type != RadiusAttributeType.VendorSpecific || a.Value.Length < 6) continue;
            if (BinaryPrimitives.ReadUInt32BigEndian(a.Value) != vendorId) continue;
            var rest = a.Value.AsSpan(4);
            while (rest.Length >= 2)
            {
                int length = rest[1];
                if (length < 2 || length > rest.Length) break;
                if (rest[0] == vendorType) return rest[2..length].ToArray();
                rest = rest[length..];
            }
        }
        return null;
    }

    public byte[] Encode()
    {
        int length = Length;
        if (length > MaxLength)
            throw new InvalidOperationException($"RADIUS packet of {length} octets is over the {MaxLength} allowed");
        var b = new byte[length];
        b[0] = (byte)Code;
        b[1] = Identifier;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), (ushort)length);
        Authenticator.CopyTo(b.AsSpan(4, AuthenticatorLength));
        int at = HeaderLength;
        foreach (var a in Attributes)
        {
            b[at] = a.Type;
            b[at + 1] = (byte)(2 + a.Value.Length);
            a.Value.CopyTo(b, at + 2);
            at += 2 + a.Value.Length;
        }
        return b;
    }

    /// <summary>
    /// RFC 2865 §3: octets beyond Length are padding and ignored; a packet shorter than its Length, or an
    /// attribute that runs past it or has a Length under 2, is malformed.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, out RadiusPacket? packet, out string error)
    {
        packet = null;
        if (data.Length < HeaderLength)
        {
            error = $"RADIUS packet of {data.Length} octets is shorter than its 20-octet header";
            return false;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if (length < HeaderLength || length > MaxLength || length > data.Length)
        {
            error = $"RADIUS Length {length} does not fit a datagram of {data.Length} octets";
            return false;
        }
        var attributes = new List<RadiusAttribute>();
        var rest = data[HeaderLength..length];
        while (!rest.IsEmpty)
        {
            if (rest.Length < 2 || rest[1] < 2 || rest[1] > rest.Length)
            {
                error = "RADIUS attribute truncated";
                return false;
            }
            attributes.Add(new RadiusAttribute(rest[0], rest[2..rest[1]].ToArray()));
            rest = rest[rest[1]..];
        }
        packet = new RadiusPacket((RadiusCode)data[0], data[1], data.Slice(4, AuthenticatorLength).ToArray(), attributes);
        error = "";
        return true;
    }
}

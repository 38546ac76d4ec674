namespace Petrel.Ike.Radius;

//  RFC 2865 §5 Attribute
//   0                   1                   2
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
//  |     Type      |    Length     |  Value ...
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-

/// <summary>One attribute: its type and value (at most 253 octets; Length counts the two header octets).</summary>
public readonly record struct RadiusAttribute(byte Type, byte[] Value)
{
    public const int MaxValueLength = 253;

    public static RadiusAttribute Text(byte type, string value) => new(type, System.Text.Encoding.UTF8.GetBytes(value));

    public static RadiusAttribute Integer(byte type, uint value) =>
        new(type, [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    public bool TryGetInteger(out uint value)
    {
        value = 0;
        if (Value.Length != 4) return false;
        value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(Value);
        return true;
    }
}

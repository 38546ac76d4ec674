namespace Petrel.Ike.Wire;

//  RFC 7296 §3.15 Configuration Payload
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Payload  |C| RESERVED    |         Payload Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |   CFG Type    |                    RESERVED                   |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                   Configuration Attributes                    ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//  §3.15.1 Configuration Attributes
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |R|         Attribute Type      |            Length             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  ~                             Value                             ~
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// <summary>CP (RFC 7296 §3.15): the CFG type and its attributes, values kept raw.</summary>
public sealed class ConfigurationPayload(ConfigurationType configurationType, IReadOnlyList<ConfigurationAttribute> attributes) : IkePayload
{
    public override PayloadType Type => PayloadType.Configuration;
    public ConfigurationType ConfigurationType { get; } = configurationType;
    public IReadOnlyList<ConfigurationAttribute> Attributes { get; } = attributes;

    public override int BodyLength
    {
        get
        {
            int length = 4;
            foreach (var a in Attributes) length += 4 + a.Value.Length;
            return length;
        }
    }

    public override void WriteBody(Span<byte> destination)
    {
        var w = new IkeWriter(destination);
        w.WriteUInt8((byte)ConfigurationType);
        w.WriteZeros(3);
        foreach (var a in Attributes)
        {
            w.WriteUInt16((ushort)(a.AttributeType & 0x7fff));
            w.WriteUInt16((ushort)a.Value.Length);
            w.WriteBytes(a.Value.Span);
        }
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, out ConfigurationPayload? payload, out string error)
    {
        payload = null;
        var r = new IkeReader(body);
        if (!r.TryReadUInt8(out byte cfgType) || !r.TrySkip(3)) { error = $"CP payload body of {body.Length} bytes is too short"; return false; }
        var attributes = new List<ConfigurationAttribute>();
        while (!r.End)
        {
            if (!r.TryReadUInt16(out ushort type) || !r.TryReadUInt16(out ushort length) || !r.TryReadBytes(length, out var value))
            {
                error = "CP attribute truncated"; return false;
            }
            // §3.15.1: the R bit is reserved; it is ignored on receipt.
            attributes.Add(new ConfigurationAttribute((ushort)(type & 0x7fff), value.ToArray()));
        }
        payload = new ConfigurationPayload((ConfigurationType)cfgType, attributes);
        error = "";
        return true;
    }
}

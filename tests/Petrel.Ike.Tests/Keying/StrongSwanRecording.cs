using System.Text.Json;
using Petrel.Ike.Tests.Wire.Captures;

namespace Petrel.Ike.Tests.Keying;

/// <summary>A strongSwan lab recording in tests/vectors/strongswan: the IKE messages of NAME.pcap and the values of NAME.json.</summary>
internal sealed class StrongSwanRecording
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "vectors", "strongswan");

    private StrongSwanRecording(List<byte[]> messages, JsonElement values)
    {
        Messages = messages;
        Values = values;
    }

    /// <summary>IKE messages in capture order, the RFC 3948 non-ESP marker removed from those on port 4500.</summary>
    public List<byte[]> Messages { get; }
    public JsonElement Values { get; }

    public byte[] Bytes(string key) => Convert.FromHexString(Values.GetProperty(key).GetString()!);
    public byte[] Bytes(string section, string key) => Convert.FromHexString(Values.GetProperty(section).GetProperty(key).GetString()!);
    public string Text(string key) => Values.GetProperty(key).GetString()!;
    public string Text(string section, string key) => Values.GetProperty(section).GetProperty(key).GetString()!;

    public static StrongSwanRecording Load(string name)
    {
        var messages = new List<byte[]>();
        foreach (var d in PcapReader.ReadUdp(Path.Combine(Folder, name + ".pcap")))
        {
            bool natT = d.Source.Port == 4500 || d.Destination.Port == 4500;
            if (natT && (d.Payload.Length < 4 || d.Payload[0] != 0 || d.Payload[1] != 0 || d.Payload[2] != 0 || d.Payload[3] != 0)) continue;
            messages.Add(natT ? d.Payload[4..] : d.Payload);
        }
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, name + ".json")));
        return new StrongSwanRecording(messages, json.RootElement.Clone());
    }
}

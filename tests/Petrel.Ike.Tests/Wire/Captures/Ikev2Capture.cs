using System.Text.Json;

namespace Petrel.Ike.Tests.Wire.Captures;

/// <summary>
/// One of the Wireshark IKEv2 decryption captures with everything the tests know about it: its UDP
/// datagrams, its key-table row, the transcribed expectations and the per-frame reference data.
/// </summary>
internal sealed class Ikev2Capture
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "vectors", "wireshark");

    private Ikev2Capture(string name)
    {
        Name = name;
        Datagrams = PcapReader.ReadUdp(Path.Combine(Folder, name));
        string ispi = Hex.Format(Datagrams[0].Payload.AsSpan(0, 8));
        Keys = KeyTableRow.Load(Path.Combine(Folder, "ikev2_decryption_table.tmpl")).Single(r => r.InitiatorSpi == ispi);
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "ikev2_expected.json")));
        Expected = expected.RootElement.GetProperty("captures").GetProperty(name).Clone();
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "ikev2_sk_payloads.json")));
        Frames = reference.RootElement.GetProperty("captures").GetProperty(name).GetProperty("frames").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    public static Ikev2Capture Load(string name) => new(name);

    public string Name { get; }
    public List<CapturedDatagram> Datagrams { get; }
    public KeyTableRow Keys { get; }
    public JsonElement Expected { get; }

    /// <summary>ikev2_sk_payloads.json frames (ike_message, plaintext_with_padding, pad_length, ...).</summary>
    public List<JsonElement> Frames { get; }

    public byte[] SkEi => Expected.TryGetProperty("key_override", out var o) ? Convert.FromHexString(o.GetProperty("sk_ei").GetString()!) : Keys.SkEi;
    public byte[] SkEr => Expected.TryGetProperty("key_override", out var o) ? Convert.FromHexString(o.GetProperty("sk_er").GetString()!) : Keys.SkEr;

    public override string ToString() => Name;
}

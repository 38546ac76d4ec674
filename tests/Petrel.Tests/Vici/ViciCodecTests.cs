using System.Buffers.Binary;
using System.Text;
using Petrel.Vici;

namespace Petrel.Tests.Vici;

public sealed class ViciCodecTests
{
    /// <summary>The encoding example of strongSwan's vici README: key1 = value1, section1 { sub-section { key2 = value2 }, list1 = [item1, item2] }.</summary>
    private static readonly byte[] ReadmeExample =
    [
        3, 4, (byte)'k', (byte)'e', (byte)'y', (byte)'1', 0, 6, (byte)'v', (byte)'a', (byte)'l', (byte)'u', (byte)'e', (byte)'1',
        1, 8, (byte)'s', (byte)'e', (byte)'c', (byte)'t', (byte)'i', (byte)'o', (byte)'n', (byte)'1',
        1, 11, (byte)'s', (byte)'u', (byte)'b', (byte)'-', (byte)'s', (byte)'e', (byte)'c', (byte)'t', (byte)'i', (byte)'o', (byte)'n',
        3, 4, (byte)'k', (byte)'e', (byte)'y', (byte)'2', 0, 6, (byte)'v', (byte)'a', (byte)'l', (byte)'u', (byte)'e', (byte)'2',
        2,
        4, 5, (byte)'l', (byte)'i', (byte)'s', (byte)'t', (byte)'1',
        5, 0, 5, (byte)'i', (byte)'t', (byte)'e', (byte)'m', (byte)'1',
        5, 0, 5, (byte)'i', (byte)'t', (byte)'e', (byte)'m', (byte)'2',
        6,
        2,
    ];

    [Fact]
    public void Readme_example_decodes_to_its_tree()
    {
        Assert.True(ViciReader.TryDecode(ReadmeExample, out var m, out string error), error);
        Assert.Equal("value1", m.Text("key1"));
        var section = m.Section("section1")!;
        Assert.Equal("value2", section.Section("sub-section")!.Text("key2"));
        Assert.Equal(["item1", "item2"], section.List("list1")!);
        Assert.Equal(2, m.Items.Count);
    }

    [Fact]
    public void Writer_produces_the_readme_example_byte_for_byte()
    {
        var w = new ViciWriter()
            .Add("key1", "value1")
            .BeginSection("section1")
            .BeginSection("sub-section").Add("key2", "value2").EndSection()
            .List("list1", ["item1", "item2"])
            .EndSection();
        Assert.Equal(ReadmeExample, w.ToArray());
    }

    [Fact]
    public void Every_truncation_of_a_valid_message_is_refused_or_a_valid_prefix_never_an_exception()
    {
        for (int n = 0; n < ReadmeExample.Length; n++)
        {
            bool ok = ViciReader.TryDecode(ReadmeExample.AsSpan(0, n), out _, out string error);
            // Only the empty message and the one cut right after key1 = value1 are complete messages.
            Assert.Equal(n is 0 or 14, ok);
            if (!ok) Assert.False(string.IsNullOrEmpty(error));
        }
    }

    [Theory]
    [InlineData(new byte[] { 9 }, "unknown element type 9")]
    [InlineData(new byte[] { 2 }, "a section end without a section")]
    [InlineData(new byte[] { 6 }, "a list end without a list")]
    [InlineData(new byte[] { 5, 0, 0 }, "a list item outside a list")]
    [InlineData(new byte[] { 4, 1, (byte)'l', 4, 1, (byte)'m' }, "a list inside a list")]
    [InlineData(new byte[] { 4, 1, (byte)'l', 3, 1, (byte)'k', 0, 0 }, "a key/value inside a list")]
    [InlineData(new byte[] { 4, 1, (byte)'l', 1, 1, (byte)'s' }, "a section inside a list")]
    [InlineData(new byte[] { 4, 1, (byte)'l', 5, 0, 0 }, "list 'l' is not closed")]
    [InlineData(new byte[] { 1, 1, (byte)'s' }, "1 section(s) not closed")]
    [InlineData(new byte[] { 3, 1, 0, 0, 0 }, "a name that is not printable ASCII")]
    [InlineData(new byte[] { 3, 1, (byte)'k', 0xff, 0xff, 1 }, "truncated value")]
    public void Malformed_messages_are_refused_with_a_reason(byte[] data, string reason)
    {
        Assert.False(ViciReader.TryDecode(data, out _, out string error));
        Assert.Equal(reason, error.Split(" at offset")[0]);
    }

    [Fact]
    public void Nesting_is_bounded()
    {
        var data = new List<byte>();
        for (int i = 0; i <= ViciReader.MaxDepth; i++) data.AddRange([1, 1, (byte)'s']);
        for (int i = 0; i <= ViciReader.MaxDepth; i++) data.Add(2);
        Assert.False(ViciReader.TryDecode(data.ToArray(), out _, out string error));
        Assert.Contains("nested deeper", error);
        // One level less is fine.
        var ok = new List<byte>();
        for (int i = 0; i < ViciReader.MaxDepth; i++) ok.AddRange([1, 1, (byte)'s']);
        for (int i = 0; i < ViciReader.MaxDepth; i++) ok.Add(2);
        Assert.True(ViciReader.TryDecode(ok.ToArray(), out _, out error), error);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(7);
        var buffer = new byte[64];
        for (int i = 0; i < 20_000; i++)
        {
            random.NextBytes(buffer);
            // Bias towards valid element types so the decoder gets past the first byte.
            for (int j = 0; j < buffer.Length; j += 5) buffer[j] = (byte)(buffer[j] % 7);
            ViciReader.TryDecode(buffer.AsSpan(0, random.Next(buffer.Length)), out _, out _);
            ViciPacket.TryParse(buffer.AsMemory(0, random.Next(buffer.Length)), out _, out _);
        }
    }

    [Fact]
    public void Packets_carry_type_name_and_message_behind_a_big_endian_length()
    {
        byte[] message = new ViciWriter().Add("ike", "lab").ToArray();
        byte[] framed = ViciPacket.Encode(ViciPacketType.CmdRequest, "list-sas", message);
        Assert.Equal((uint)(framed.Length - 4), BinaryPrimitives.ReadUInt32BigEndian(framed));
        Assert.Equal(0, framed[4]);
        Assert.Equal(8, framed[5]);
        Assert.Equal("list-sas", Encoding.ASCII.GetString(framed, 6, 8));
        Assert.True(ViciPacket.TryParse(framed.AsMemory(4), out var packet, out string error), error);
        Assert.Equal(ViciPacketType.CmdRequest, packet.Type);
        Assert.Equal("list-sas", packet.Name);
        Assert.Equal(message, packet.Message.ToArray());

        // Unnamed types have no name byte.
        byte[] confirm = ViciPacket.Encode(ViciPacketType.EventConfirm, null, []);
        Assert.Equal(new byte[] { 0, 0, 0, 1, 5 }, confirm);
    }

    [Theory]
    [InlineData(new byte[] { }, "empty packet")]
    [InlineData(new byte[] { 8 }, "unknown packet type 8")]
    [InlineData(new byte[] { 0 }, "truncated name length")]
    [InlineData(new byte[] { 3, 5, (byte)'l', (byte)'o' }, "truncated name")]
    public void Malformed_packets_are_refused(byte[] data, string reason)
    {
        Assert.False(ViciPacket.TryParse(data, out _, out string error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void Writer_refuses_what_the_length_fields_cannot_hold_and_cuts_long_text()
    {
        Assert.Throws<ArgumentException>(() => new ViciWriter().Add(new string('k', 256), "v"));
        Assert.Throws<ArgumentException>(() => new ViciWriter().Add("k", new byte[70_000]));
        byte[] long_ = new ViciWriter().Add("msg", new string('x', 70_000)).ToArray();
        Assert.True(ViciReader.TryDecode(long_, out var m, out _));
        Assert.Equal(ushort.MaxValue, m.Text("msg")!.Length);
        Assert.Throws<InvalidOperationException>(() => new ViciWriter().BeginSection("open").ToArray());
    }
}

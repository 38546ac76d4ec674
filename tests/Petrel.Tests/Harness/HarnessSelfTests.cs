using System.Buffers.Binary;
using System.Net;
using System.Text.Json.Nodes;

namespace Petrel.Tests.Harness;

/// <summary>The harness's own parsing pieces, checked without root or a network.</summary>
public sealed class HarnessSelfTests
{
    [Fact]
    public void List_sas_json_is_read_with_spec_field_names_and_drop_counters_are_summed()
    {
        const string json = """
            [{"name":"lab","state":"ESTABLISHED","encr":"AES_GCM_16_128","prf":"PRF_HMAC_SHA2_256","dh":"ECP_256","initiator":false,
              "children":[{"name":"net","state":"INSTALLED","spi_in":"c1a2b3c4","spi_out":"0badf00d","encr":"AES_GCM_16_128",
                           "bytes_in":10485760,"bytes_out":2097152,"packets_in":7500,"packets_out":1600,
                           "replay_drops":3,"integrity_failures":1}]},
             {"name":"other","state":"DESTROYING","children":[]}]
            """;
        var listing = PetrelSaListing.Parse(json);
        var ike = listing.Find("lab");
        Assert.NotNull(ike);
        Assert.Equal("ESTABLISHED", ike!.State);
        Assert.False(ike.Initiator);
        var child = Assert.Single(ike.Children);
        Assert.Equal(("net", "INSTALLED", "c1a2b3c4"), (child.Name, child.State, child.SpiIn));
        Assert.Equal(10485760UL, child.BytesIn);
        Assert.Equal(1600UL, child.PacketsOut);
        Assert.Null(listing.Find("other"));
        Assert.Equal(4UL, PetrelSaListing.SumCounters(JsonNode.Parse(json), "drop", "replay", "fail"));
    }

    [Fact]
    public void Pcap_reader_returns_whole_udp_datagrams_and_skips_truncated_ones()
    {
        var path = Path.Combine(Path.GetTempPath(), $"harness-self-{Environment.ProcessId}.pcap");
        byte[] esp = [0xc1, 0xa2, 0xb3, 0xc4, 0, 0, 0, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9];
        using (var f = File.Create(path))
        {
            var header = new byte[24];
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0xa1b2c3d4);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 2);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 4);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 65535);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 1);
            f.Write(header);
            WriteFrame(f, Frame(esp), Frame(esp).Length);
            WriteFrame(f, Frame(esp), 14 + 20 + 8 + 4); // cut by a snap length
        }
        try
        {
            var d = Assert.Single(PcapReader.ReadUdp(path));
            Assert.Equal(IPAddress.Parse("198.18.0.1"), d.Source);
            Assert.Equal((4500, 4500), (d.SourcePort, d.DestinationPort));
            Assert.Equal(esp, d.Payload);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Lab_config_protects_both_families_and_names_the_proposals()
    {
        var left = new LabSite("left", "x-l", "198.18.0.1", "2001:db8:18::1", "10.1.0.1", "2001:db8:1::1", "10.1.0.0/24", "2001:db8:1::/64", "/tmp");
        var right = new LabSite("right", "x-r", "198.18.0.2", "2001:db8:18::2", "10.2.0.1", "2001:db8:2::1", "10.2.0.0/24", "2001:db8:2::/64", "/tmp");
        var conf = LabConfig.For(left, right, ProposalPair.ChaCha);
        Assert.Contains("proposals = chacha20poly1305-prfsha256-x25519", conf);
        Assert.Contains("esp_proposals = chacha20poly1305", conf);
        Assert.Contains("local_ts = 10.1.0.0/24,2001:db8:1::/64", conf);
        Assert.Contains("remote_ts = 10.2.0.0/24,2001:db8:2::/64", conf);
        Assert.Contains("remote_addrs = 198.18.0.2", conf);
    }

    private static byte[] Frame(byte[] payload)
    {
        var frame = new byte[14 + 20 + 8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        var ip = frame.AsSpan(14);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + 8 + payload.Length));
        ip[8] = 64;
        ip[9] = 17;
        IPAddress.Parse("198.18.0.1").TryWriteBytes(ip[12..], out _);
        IPAddress.Parse("198.18.0.2").TryWriteBytes(ip[16..], out _);
        var udp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(udp, 4500);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 4500);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(8 + payload.Length));
        payload.CopyTo(udp[8..]);
        return frame;
    }

    private static void WriteFrame(Stream s, byte[] frame, int caplen)
    {
        var rec = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(rec.AsSpan(8), (uint)caplen);
        BinaryPrimitives.WriteUInt32LittleEndian(rec.AsSpan(12), (uint)frame.Length);
        s.Write(rec);
        s.Write(frame, 0, caplen);
    }
}

using System.Net;
using System.Text.Json;
using Petrel.DataPlane.Esp;
using Petrel.DataPlane.Kernel;
using Petrel.DataPlane.Policy;
using Petrel.DataPlane.Tests.Pipeline;
using Petrel.DataPlane.Tests.TestCrypto;

namespace Petrel.DataPlane.Tests.Esp;

/// <summary>
/// Known-answer test: real ESP packets (AES-CBC + HMAC-SHA1-96, tunnel mode, IPv4) captured by
/// Wireshark's bug 12671 sample, with the SA keys from its esp_sa table.
/// </summary>
public class WiresharkVectorTests
{
    private static JsonElement Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "vectors", "wireshark-esp-bug-12671.json");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    private static byte[] Hex(string s) => Convert.FromHexString(s.StartsWith("0x") ? s[2..] : s);

    [Theory]
    [InlineData("test doubles")]
    [InlineData("Petrel.Crypto")]
    public void Decapsulates_every_captured_frame_to_the_known_inner_packet(string crypto)
    {
        IEspAlgorithmProvider provider = crypto == "Petrel.Crypto" ? CatalogEspAlgorithmProvider.Instance : TestAlgorithmProvider.Instance;
        var root = Load();
        var tunnels = new Dictionary<string, (Pipeline.CapturingTunnel Tun, DataPlane.Pipeline.UserspaceKernel Kernel)>();
        // One kernel per receiving host, each with the inbound SA addressed to it.
        foreach (var row in root.GetProperty("sa_table").EnumerateArray())
        {
            var dst = row.GetProperty("dst").GetString()!;
            var src = row.GetProperty("src").GetString()!;
            var tun = new CapturingTunnel();
            var kernel = new DataPlane.Pipeline.UserspaceKernel(new CapturingTransport(), tun, algorithms: provider);
            kernel.InstallSa(new SaSpec
            {
                Spi = Convert.ToUInt32(row.GetProperty("spi").GetString(), 16),
                Direction = SaDirection.Inbound,
                Source = new IPEndPoint(IPAddress.Parse(src), 0),
                Destination = new IPEndPoint(IPAddress.Parse(dst), 0),
                Encryption = TestTransforms.AesCbc(128),
                EncryptionKey = Hex(row.GetProperty("encryption_key").GetString()!),
                Integrity = TestTransforms.HmacSha1_96,
                IntegrityKey = Hex(row.GetProperty("authentication_key").GetString()!),
                ReqId = 1,
            });
            // The inner ICMP echo runs between 10.1.1.1 (behind 192.168.0.100) and 10.1.0.10 (behind 192.168.0.1).
            bool behind1 = dst == "192.168.0.1";
            kernel.InstallPolicy(new PolicySpec
            {
                ReqId = 1,
                LocalTs = [TrafficSelector.Parse(behind1 ? "10.1.0.0/24" : "10.1.1.0/24")],
                RemoteTs = [TrafficSelector.Parse(behind1 ? "10.1.1.0/24" : "10.1.0.0/24")],
                LocalAddress = IPAddress.Parse(dst),
                RemoteAddress = IPAddress.Parse(src),
            });
            tunnels[dst] = (tun, kernel);
        }

        int frames = 0;
        foreach (var frame in root.GetProperty("frames").EnumerateArray())
        {
            var (tun, kernel) = tunnels[frame.GetProperty("outer_dst").GetString()!];
            var esp = Hex(frame.GetProperty("esp_packet").GetString()!);
            Assert.Equal(DropReason.None, kernel.ProcessInbound(esp));
            Assert.Equal(Hex(frame.GetProperty("inner_packet").GetString()!), tun.Written[^1]);
            // Replaying the captured frame must fail now.
            Assert.Equal(DropReason.Replay, kernel.ProcessInbound(Hex(frame.GetProperty("esp_packet").GetString()!)));
            frames++;
        }
        Assert.Equal(6, frames);
    }

    [Fact]
    public void A_captured_frame_with_one_flipped_bit_fails_the_icv()
    {
        var root = Load();
        var row = root.GetProperty("sa_table")[1];
        var frame = root.GetProperty("frames")[0];
        Assert.Equal(row.GetProperty("spi").GetString(), frame.GetProperty("spi").GetString());
        var tun = new CapturingTunnel();
        using var kernel = new DataPlane.Pipeline.UserspaceKernel(new CapturingTransport(), tun, algorithms: TestAlgorithmProvider.Instance);
        kernel.InstallSa(new SaSpec
        {
            Spi = Convert.ToUInt32(row.GetProperty("spi").GetString(), 16),
            Direction = SaDirection.Inbound,
            Source = new IPEndPoint(IPAddress.Parse("192.168.0.100"), 0),
            Destination = new IPEndPoint(IPAddress.Parse("192.168.0.1"), 0),
            Encryption = TestTransforms.AesCbc(128),
            EncryptionKey = Hex(row.GetProperty("encryption_key").GetString()!),
            Integrity = TestTransforms.HmacSha1_96,
            IntegrityKey = Hex(row.GetProperty("authentication_key").GetString()!),
            ReqId = 1,
        });
        var esp = Hex(frame.GetProperty("esp_packet").GetString()!);
        esp[40] ^= 0x04;
        Assert.Equal(DropReason.IntegrityFailure, kernel.ProcessInbound(esp));
        Assert.Empty(tun.Written);
    }
}

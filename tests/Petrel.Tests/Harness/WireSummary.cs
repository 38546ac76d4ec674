using System.Net;

namespace Petrel.Tests.Harness;

/// <summary>
/// What a capture on the outer veth shows: ESP-in-UDP frames (port 4500 without the non-ESP
/// marker, RFC 3948 §2.2), raw ESP (IP protocol 50), IKE, and any frame whose outer addresses are
/// the protected subnets, which would be cleartext traffic leaking past the tunnel.
/// One tshark pass reads every frame; the counting happens here. EspInUdpBytes sums those frames'
/// lengths: Petrel sends ESP-in-UDP with UDP GSO, and on a veth the capture sees each GSO batch
/// (up to 64 KB, many ESP datagrams back to back) as one frame, so frames undercount datagrams.
/// </summary>
public sealed record WireSummary(int EspInUdp, int RawEsp, int Cleartext, int Ike, long EspInUdpBytes = 0)
{
    private static readonly string[] Fields = ["esp.spi", "udp.port", "ip.proto", "ipv6.nxt", "isakmp.ispi", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "frame.len"];

    public static WireSummary Read(string pcap, LabSite left, LabSite right)
    {
        IPNetwork[] protectedNets =
        [
            IPNetwork.Parse(left.SubnetV4), IPNetwork.Parse(right.SubnetV4),
            IPNetwork.Parse(left.SubnetV6), IPNetwork.Parse(right.SubnetV6),
        ];
        int espInUdp = 0, rawEsp = 0, ike = 0, clear = 0;
        long espBytes = 0;
        // "frame" matches every frame; without decryption tshark never parses inner headers,
        // so the addresses seen are outer ones.
        foreach (var row in Tshark.Fields(pcap, "frame", Fields))
        {
            string F(int i) => i < row.Length ? row[i] : "";
            // Wireshark dissects UDP 4500 payloads with a non-zero first word as ESP.
            bool esp = F(0).Length > 0;
            bool udp4500 = F(1).Split(',').Contains("4500");
            if (esp && udp4500)
            {
                espInUdp++;
                espBytes += long.TryParse(F(9), out long len) ? len : 0;
            }
            if (F(2).Split(',').Contains("50") || F(3).Split(',').Contains("50")) rawEsp++;
            if (F(4).Length > 0) ike++;
            bool leaked = false;
            for (int i = 5; i < 9 && !leaked; i++)
            {
                foreach (var a in F(i).Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (IPAddress.TryParse(a, out var addr) && protectedNets.Any(n => n.Contains(addr))) { leaked = true; break; }
                }
            }
            if (leaked) clear++;
        }
        return new WireSummary(espInUdp, rawEsp, clear, ike, espBytes);
    }
}

namespace Petrel.Tests.Harness;

/// <summary>
/// What a capture on the outer veth shows: ESP-in-UDP frames (port 4500 without the non-ESP
/// marker, RFC 3948 §2.2), raw ESP (IP protocol 50), and any frame whose outer addresses are
/// the protected subnets, which would be cleartext traffic leaking past the tunnel.
/// </summary>
public sealed record WireSummary(int EspInUdp, int RawEsp, int Cleartext, int Ike)
{
    public static WireSummary Read(string pcap, LabSite left, LabSite right)
    {
        // Wireshark dissects UDP 4500 payloads with a non-zero first word as ESP.
        int espInUdp = Tshark.Count(pcap, "udp.port == 4500 && esp");
        int rawEsp = Tshark.Count(pcap, "ip.proto == 50 || ipv6.nxt == 50");
        int ike = Tshark.Count(pcap, "isakmp");
        // Without decryption tshark never parses inner headers, so any hit is an outer header.
        var clearFilter = $"ip.addr == {left.SubnetV4} || ip.addr == {right.SubnetV4} || ipv6.addr == {left.SubnetV6} || ipv6.addr == {right.SubnetV6}";
        int clear = Tshark.Count(pcap, clearFilter);
        return new WireSummary(espInUdp, rawEsp, clear, ike);
    }
}

using System.Net;
using Petrel.DataPlane.Esp;

namespace Petrel.DataPlane.Tests.Nat;

/// <summary>
/// RFC 3948 §3.1.2 checksum fix-up of transport-mode payloads whose outer addresses a NAT
/// changed: packets built independently (<see cref="NatPackets"/>) with checksums over the
/// original addresses, header rewritten to the delivered addresses, then fixed by
/// <see cref="TransportNatChecksum"/> incrementally (originals known) or by recomputing.
/// </summary>
public class TransportNatChecksumTests
{
    private const string Client = "10.1.0.2";        // the initiator's own address (before its NAT)
    private const string NatPublic = "198.18.0.1";   // what the responder sees it as
    private const string Server = "198.18.0.2";

    public static TheoryData<byte, int, bool> Cases()
    {
        var data = new TheoryData<byte, int, bool>();
        foreach (byte protocol in new[] { NatPackets.Tcp, NatPackets.Udp })
        {
            foreach (int length in new[] { 0, 1, 333, 1001, 1400 })
            {
                data.Add(protocol, length, true);
                data.Add(protocol, length, false);
            }
        }
        return data;
    }

    private static TransportNatChecksum Fixup(bool originalsKnown, string origSrc, string origDst, string src, string dst) =>
        originalsKnown
            ? TransportNatChecksum.For(IPAddress.Parse(origSrc), IPAddress.Parse(origDst), IPAddress.Parse(src), IPAddress.Parse(dst))
            : TransportNatChecksum.For(null, null, IPAddress.Parse(src), IPAddress.Parse(dst));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ipv4_source_translated_by_a_nat_verifies_after_the_fixup(byte protocol, int payloadLength, bool originalsKnown)
    {
        var packet = NatPackets.Build(Client, Server, protocol, payloadLength, seed: payloadLength + protocol);
        Assert.True(NatPackets.Verifies(packet));
        NatPackets.RewriteAddresses(packet, NatPublic, Server);
        Assert.False(NatPackets.Verifies(packet));

        var fixup = Fixup(originalsKnown, Client, Server, NatPublic, Server);
        Assert.Equal(originalsKnown ? TransportNatChecksum.Method.Incremental : TransportNatChecksum.Method.Recompute, fixup.How);
        Assert.True(fixup.Apply(packet));

        Assert.True(NatPackets.Verifies(packet));
        // The same field a sender that knew the delivered addresses would have written.
        var reference = NatPackets.Build(NatPublic, Server, protocol, payloadLength, seed: payloadLength + protocol);
        Assert.Equal(NatPackets.ChecksumField(reference), NatPackets.ChecksumField(packet));
        Assert.Equal(reference, packet);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Both_ends_translated_verifies_after_the_fixup(byte protocol, int payloadLength, bool originalsKnown)
    {
        // The server sits behind a NAT too: the client addressed 203.0.113.5, the server owns 10.2.0.7.
        var packet = NatPackets.Build(Client, "203.0.113.5", protocol, payloadLength, seed: 3 * payloadLength + 1);
        NatPackets.RewriteAddresses(packet, NatPublic, "10.2.0.7");
        Assert.False(NatPackets.Verifies(packet));

        Assert.True(Fixup(originalsKnown, Client, "203.0.113.5", NatPublic, "10.2.0.7").Apply(packet));

        Assert.True(NatPackets.Verifies(packet));
    }

    [Theory]
    [InlineData(NatPackets.Tcp, true)]
    [InlineData(NatPackets.Tcp, false)]
    [InlineData(NatPackets.Udp, true)]
    [InlineData(NatPackets.Udp, false)]
    public void Ipv6_odd_length_verifies_after_the_fixup(byte protocol, bool originalsKnown)
    {
        var packet = NatPackets.Build("2001:db8:1::2", "2001:db8:18::2", protocol, 777);
        NatPackets.RewriteAddresses(packet, "2001:db8:18::99", "2001:db8:18::2");
        Assert.False(NatPackets.Verifies(packet));

        Assert.True(Fixup(originalsKnown, "2001:db8:1::2", "2001:db8:18::2", "2001:db8:18::99", "2001:db8:18::2").Apply(packet));

        Assert.True(NatPackets.Verifies(packet));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Udp_checksum_zero_means_none_and_stays_zero(bool originalsKnown)
    {
        var packet = NatPackets.Build(Client, Server, NatPackets.Udp, 101, udpChecksumZero: true);
        NatPackets.RewriteAddresses(packet, NatPublic, Server);

        Assert.True(Fixup(originalsKnown, Client, Server, NatPublic, Server).Apply(packet));

        Assert.Equal(0, NatPackets.ChecksumField(packet));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Udp_checksum_that_computes_to_zero_is_sent_as_all_ones(bool originalsKnown)
    {
        // Find the two payload bytes for which the checksum over the delivered addresses is 0 (sent as 0xFFFF).
        var delivered = NatPackets.Build(NatPublic, Server, NatPackets.Udp, 2);
        int word = -1;
        for (int w = 0; w <= 0xFFFF && word < 0; w++)
        {
            delivered[^2] = (byte)(w >> 8);
            delivered[^1] = (byte)w;
            NatPackets.SetChecksum(delivered, IPAddress.Parse(NatPublic), IPAddress.Parse(Server));
            if (NatPackets.ChecksumField(delivered) == 0xFFFF)
                word = w;
        }
        Assert.True(word >= 0);
        var packet = NatPackets.Build(Client, Server, NatPackets.Udp, 2);
        packet[^2] = (byte)(word >> 8);
        packet[^1] = (byte)word;
        NatPackets.SetChecksum(packet, IPAddress.Parse(Client), IPAddress.Parse(Server));
        NatPackets.RewriteAddresses(packet, NatPublic, Server);

        Assert.True(Fixup(originalsKnown, Client, Server, NatPublic, Server).Apply(packet));

        Assert.Equal(0xFFFF, NatPackets.ChecksumField(packet));
        Assert.True(NatPackets.Verifies(packet));
    }

    [Fact]
    public void Incremental_fixup_keeps_a_checksum_broken_on_the_way_broken()
    {
        var packet = NatPackets.Build(Client, Server, NatPackets.Tcp, 500);
        packet[^1] ^= 0x01;                 // corrupted before it was encrypted: the ICV does not see it
        NatPackets.RewriteAddresses(packet, NatPublic, Server);

        Assert.True(Fixup(true, Client, Server, NatPublic, Server).Apply(packet));

        Assert.False(NatPackets.Verifies(packet));
    }

    [Fact]
    public void Nothing_to_do_when_no_address_changed_and_a_runt_is_refused()
    {
        var same = Fixup(true, Client, Server, Client, Server);
        Assert.Equal(TransportNatChecksum.Method.None, same.How);
        var packet = NatPackets.Build(Client, Server, NatPackets.Tcp, 10);
        var copy = (byte[])packet.Clone();
        Assert.True(same.Apply(packet));
        Assert.Equal(copy, packet);

        // A "TCP" payload of 12 bytes has no room for its checksum field (offset 16).
        var runt = NatPackets.Build(Client, Server, NatPackets.Udp, 4);
        runt[9] = NatPackets.Tcp;
        Assert.False(Fixup(true, Client, Server, NatPublic, Server).Apply(runt));
        Assert.False(Fixup(false, Client, Server, NatPublic, Server).Apply(runt));
    }
}

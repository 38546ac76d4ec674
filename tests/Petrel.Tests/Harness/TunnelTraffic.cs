namespace Petrel.Tests.Harness;

/// <summary>
/// The traffic checks every interop test runs once a tunnel is up: IPv4 and IPv6 pings both
/// ways, a 10 MB IPv4 TCP transfer left → right and a 2 MB IPv6 transfer right → left (both
/// SHA-256-checked), all while capturing the outer veth to show it only carried ESP-in-UDP.
/// </summary>
public static class TunnelTraffic
{
    public const long BulkBytes = 10 * 1024 * 1024;
    public const long Ipv6Bytes = 2 * 1024 * 1024;

    public sealed record Report(CommandResult[] Pings, TcpTransfer.Result Bulk, TcpTransfer.Result Ipv6, WireSummary Wire)
    {
        public override string ToString() => $"bulk v4 {Bulk}; v6 {Ipv6}; wire {Wire}";
    }

    public static Report Run(NamespacePair lab, string captureName)
    {
        using var capture = PacketCapture.Start(lab, lab.Right, captureName, snapLength: 128);
        var pings = new[]
        {
            lab.Ping(lab.Left, lab.Right),
            lab.Ping(lab.Left, lab.Right, ipv6: true),
            lab.Ping(lab.Right, lab.Left),
            lab.Ping(lab.Right, lab.Left, ipv6: true),
        };
        foreach (var p in pings)
            if (!p.Succeeded) throw new Xunit.Sdk.XunitException("ping through the tunnel failed: " + p.Describe());
        var bulk = TcpTransfer.Run(lab.Left, lab.Right, BulkBytes);
        var v6 = TcpTransfer.Run(lab.Right, lab.Left, Ipv6Bytes, ipv6: true);
        var wire = WireSummary.Read(capture.Stop(), lab.Left, lab.Right);
        return new Report(pings, bulk, v6, wire);
    }

    /// <summary>
    /// The short check for tests that bring many tunnels up (certificates): IPv4 pings both ways and
    /// <paramref name="bytes"/> of TCP left → right, SHA-256 checked; throws with the failing command.
    /// </summary>
    public static TcpTransfer.Result RunShort(NamespacePair lab, long bytes = 1024 * 1024)
    {
        foreach (var p in new[] { lab.Ping(lab.Left, lab.Right), lab.Ping(lab.Right, lab.Left) })
            if (!p.Succeeded) throw new Xunit.Sdk.XunitException("ping through the tunnel failed: " + p.Describe());
        var transfer = TcpTransfer.Run(lab.Left, lab.Right, bytes);
        Assert.True(transfer.ChecksumsMatch, transfer.ToString());
        Assert.Equal(bytes, transfer.BytesReceived);
        return transfer;
    }

    /// <summary>The assertions shared by all interop tests.</summary>
    public static void AssertPassed(Report r)
    {
        Assert.True(r.Bulk.ChecksumsMatch, r.Bulk.ToString());
        Assert.Equal(BulkBytes, r.Bulk.BytesReceived);
        Assert.True(r.Ipv6.ChecksumsMatch, r.Ipv6.ToString());
        Assert.Equal(Ipv6Bytes, r.Ipv6.BytesReceived);
        Assert.True(r.Wire.Cleartext == 0, $"cleartext packets between the protected subnets on the wire: {r.Wire}");
        Assert.True(r.Wire.RawEsp == 0, $"raw ESP (protocol 50) on the wire, expected ESP-in-UDP only: {r.Wire}");
        // 4 pings x 3 requests + replies, and the payload went over the wire as ESP-in-UDP: at
        // least its size in ESP frames (frames, not datagrams: UDP GSO batches are one frame on a veth).
        Assert.True(r.Wire.EspInUdp >= 24, $"too few ESP-in-UDP packets: {r.Wire}");
        Assert.True(r.Wire.EspInUdpBytes >= BulkBytes + Ipv6Bytes, $"too few ESP-in-UDP bytes for {BulkBytes + Ipv6Bytes} bytes of payload: {r.Wire}");
    }

    /// <summary>strongSwan lists the IKE SA ESTABLISHED and the CHILD_SA INSTALLED.</summary>
    public static void AssertStrongSwanUp(StrongSwanPeer peer, ProposalPair? proposals = null)
    {
        var sas = peer.ListSas();
        if (proposals is not null)
            Assert.True(sas.Contains("ESP:" + proposals.SwanctlEsp, StringComparison.Ordinal), $"strongSwan did not negotiate ESP {proposals.SwanctlEsp}:\n" + sas);
        Assert.True(sas.Contains("ESTABLISHED, IKEv2", StringComparison.Ordinal), "strongSwan IKE SA not ESTABLISHED:\n" + sas);
        Assert.True(sas.Contains("INSTALLED, TUNNEL", StringComparison.Ordinal), "strongSwan CHILD_SA not INSTALLED:\n" + sas);
    }

    /// <summary>Petrel lists the IKE SA ESTABLISHED and the CHILD_SA INSTALLED, and returns them.</summary>
    public static (PetrelSaListing.Ike Ike, PetrelSaListing.Child Child) AssertPetrelUp(PetrelPeer peer, ProposalPair? proposals = null)
    {
        var listing = peer.ListSas();
        var ike = listing.Find(LabConfig.Connection);
        Assert.True(ike is not null, "Petrel lists no IKE SA 'lab':\n" + listing.Json);
        Assert.True(ike!.State == "ESTABLISHED", $"Petrel IKE SA state {ike.State}:\n{listing.Json}");
        var child = ike.Children.FirstOrDefault(c => c.Name == LabConfig.Child && c.State == "INSTALLED");
        Assert.True(child is not null, "Petrel lists no INSTALLED CHILD_SA 'net':\n" + listing.Json);
        if (proposals is not null)
        {
            // Naming differs in punctuation (AES_GCM_16_128 vs strongSwan's AES_GCM_16-128); the family must match.
            var family = Letters(proposals.SwanctlEsp.Split('-', '/')[0]);
            Assert.True(Letters(child!.Encr).StartsWith(family, StringComparison.Ordinal), $"Petrel CHILD_SA encr '{child.Encr}', expected {proposals.SwanctlEsp}");
        }
        return (ike, child!);
    }

    private static string Letters(string s) => new([.. s.Where(char.IsLetterOrDigit)]);
}

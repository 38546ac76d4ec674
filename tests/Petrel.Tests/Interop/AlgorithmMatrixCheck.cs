using Petrel.Tests.Harness;

namespace Petrel.Tests.Interop;

/// <summary>
/// The steps every matrix row shares, whoever the right peer is: reload a Petrel daemon,
/// check what it negotiated, pass traffic, and wait (bounded) for an SA to go away.
/// </summary>
public static class AlgorithmMatrixCheck
{
    /// <summary>Bytes of the TCP transfer each row sends through its tunnel.</summary>
    public const long TransferBytes = 1024 * 1024;

    /// <summary>Rewrites the daemon's swanctl.conf and has it re-read (`petrel reload`).</summary>
    public static void ReloadPetrel(PetrelPeer petrel, string swanctlConf)
    {
        File.WriteAllText(petrel.ConfigPath, swanctlConf);
        petrel.Cli("reload").EnsureSuccess();
    }

    /// <summary>
    /// Petrel lists the row's IKE SA ESTABLISHED with exactly the asked-for encryption, integrity,
    /// PRF and group, and its CHILD_SA INSTALLED with the asked-for ESP transform.
    /// </summary>
    public static PetrelSaListing.Child AssertPetrelNegotiated(PetrelPeer petrel, AlgorithmMatrixCase c, bool initiator)
    {
        var listing = petrel.ListSas();
        var ike = listing.Find(c.Connection);
        Assert.True(ike is not null, $"Petrel ({petrel.Site.Name}) lists no IKE SA {c.Connection}:\n{listing.Json}");
        Assert.True(ike!.State == "ESTABLISHED", $"Petrel IKE SA state {ike.State}:\n{listing.Json}");
        Assert.Equal(initiator, ike.Initiator);
        Assert.Equal(c.PetrelIkeEncr, ike.Encr);
        Assert.Equal(c.PetrelIkeInteg, Str(ike.Raw, "integ"));
        Assert.Equal(c.PetrelIkePrf, ike.Prf);
        Assert.Equal(c.PetrelIkeDh, ike.Dh);
        var child = ike.Children.FirstOrDefault(x => x.Name == c.Child && x.State == "INSTALLED");
        Assert.True(child is not null, $"Petrel ({petrel.Site.Name}) lists no INSTALLED CHILD_SA {c.Child}:\n{listing.Json}");
        Assert.Equal(c.PetrelEspEncr, child!.Encr);
        Assert.Equal(c.PetrelEspInteg, Str(child.Raw, "integ"));
        return child;
    }

    /// <summary>A ping left → right and a SHA-256-checked 1 MB TCP transfer left → right through the tunnel.</summary>
    public static TcpTransfer.Result PassTraffic(NamespacePair lab, AlgorithmMatrixCase c)
    {
        var ping = lab.Ping(lab.Left, lab.Right, count: 3);
        Assert.True(ping.Succeeded, "ping through the tunnel failed: " + ping.Describe());
        var tcp = TcpTransfer.Run(lab.Left, lab.Right, TransferBytes, port: 46000 + c.Index, timeout: TimeSpan.FromSeconds(30));
        Assert.True(tcp.ChecksumsMatch, tcp.ToString());
        Assert.Equal(TransferBytes, tcp.BytesReceived);
        return tcp;
    }

    /// <summary>Polls until the daemon no longer lists the connection's IKE SA; false after <paramref name="limit"/>.</summary>
    public static bool WaitPetrelGone(PetrelPeer petrel, string connection, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            var r = petrel.Cli("list-sas", "--json");
            if (r.Succeeded && PetrelSaListing.Parse(r.StandardOutput).Find(connection) is null) return true;
            Thread.Sleep(300);
        }
        return false;
    }

    private static string Str(System.Text.Json.Nodes.JsonObject o, string key) =>
        o[key] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out string? s) ? s : "";
}

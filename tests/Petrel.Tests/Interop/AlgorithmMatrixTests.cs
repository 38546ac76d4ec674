using Petrel.Crypto.Algorithms;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// Petrel (left) ⇄ strongSwan 5.9.8 (right) for every algorithm strongSwan supports (the list is in
/// <see cref="AlgorithmMatrixCases"/>): per row both peers load one connection with exactly the
/// row's IKE and ESP proposal, one side initiates (alternating), both must report the asked-for
/// algorithms, a ping and a 1 MB TCP transfer pass, and strongSwan deletes the SA.
/// </summary>
[Trait("Category", "Interop")]
public sealed class AlgorithmMatrixTests(AlgorithmMatrixLab fixture, ITestOutputHelper output) : IClassFixture<AlgorithmMatrixLab>
{
    public static IEnumerable<object[]> Cases => AlgorithmMatrixCases.Names;

    [RootTheory]
    [MemberData(nameof(Cases))]
    public void Negotiates_and_carries_traffic(AlgorithmMatrixRow row)
    {
        var c = AlgorithmMatrixCases.ByName(row.Name);
        var lab = fixture.Lab;
        var strongswan = fixture.StrongSwan;
        var petrel = fixture.Petrel;
        try
        {
            strongswan.Reload(AlgorithmMatrixConfig.For(c, lab.Right, lab.Left));
            AlgorithmMatrixCheck.ReloadPetrel(petrel, AlgorithmMatrixConfig.For(c, lab.Left, lab.Right));

            var up = c.LeftInitiates ? petrel.Up(c.Connection, c.Child, timeoutSeconds: 20) : strongswan.Initiate(c.Child, timeoutSeconds: 20);
            Assert.True(up.Succeeded, up.Describe());

            AlgorithmMatrixCheck.AssertPetrelNegotiated(petrel, c, initiator: c.LeftInitiates);
            var sas = strongswan.ListSas();
            output.WriteLine(sas);
            Assert.Contains($"{c.Connection}: #", sas);
            Assert.Contains("ESTABLISHED, IKEv2", sas);
            Assert.Contains(c.StrongSwanIkeAlgorithms + "\n", sas);
            Assert.Contains("INSTALLED, TUNNEL", sas);
            Assert.Contains(c.StrongSwanEspAlgorithms + "\n", sas);

            var tcp = AlgorithmMatrixCheck.PassTraffic(lab, c);
            output.WriteLine($"{c.Name}: {tcp}");
        }
        catch
        {
            output.WriteLine(strongswan.Diagnostics());
            output.WriteLine(petrel.Diagnostics());
            throw;
        }
        finally
        {
            // strongSwan sends the DELETE; if Petrel does not drop the SA, Petrel deletes it itself,
            // so a failed row never leaves an SA behind for the next one.
            strongswan.Terminate(c.Connection);
            if (!AlgorithmMatrixCheck.WaitPetrelGone(petrel, c.Connection, TimeSpan.FromSeconds(8)))
                petrel.Cli("down", c.Connection, "--timeout", "5");
        }
    }

    /// <summary>The rows really cover every algorithm listed as supported by strongSwan, in each role.</summary>
    [Fact]
    public void Matrix_covers_every_strongswan_algorithm()
    {
        var all = AlgorithmMatrixCases.All;
        foreach (var cipher in AlgorithmMatrixCases.ClassicCiphers.Concat(AlgorithmMatrixCases.AeadCiphers))
        {
            Assert.Contains(all, c => c.IkeKeywords[0] == cipher);
            Assert.Contains(all, c => c.EspKeywords[0] == cipher);
        }
        foreach (var integ in AlgorithmMatrixCases.Integrity)
        {
            Assert.Contains(all, c => c.IkeKeywords.Contains(integ) && c.IkeKeywords.Length == 4);
            Assert.Contains(all, c => c.EspKeywords.Length == 2 && c.EspKeywords[1] == integ);
        }
        foreach (var prf in AlgorithmMatrixCases.Prfs) Assert.Contains(all, c => c.IkeKeywords.Contains(prf));
        foreach (var ke in AlgorithmMatrixCases.KeyExchanges) Assert.Contains(all, c => c.IkeKeywords[^1] == ke);
        Assert.Contains(all, c => c.EspKeywords[0] == "null");
        Assert.Contains(all, c => c.EspKeywords[0] == "des" && c.IkeKeywords[0] == "des");
        Assert.Contains(all, c => c.LeftInitiates);
        Assert.Contains(all, c => !c.LeftInitiates);
        // Every keyword is in Petrel's catalogue and usable where the row puts it.
        foreach (var c in all)
        {
            foreach (var k in c.IkeKeywords) Assert.True(AlgorithmCatalog.FindKeyword(k)!.UsableForIke, $"{k} not usable for IKE");
            foreach (var k in c.EspKeywords) Assert.True(AlgorithmCatalog.FindKeyword(k)!.UsableForEsp, $"{k} not usable for ESP");
        }
        Assert.Equal(all.Count, all.Select(c => c.Name).Distinct().Count());
    }
}

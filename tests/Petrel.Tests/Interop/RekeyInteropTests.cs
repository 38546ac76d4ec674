using System.Diagnostics;
using System.Text.RegularExpressions;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Interop;

/// <summary>
/// Rekeying against strongSwan 5.9.8 under traffic: two namespace pairs side by side for ~2 minutes, each with
/// short lifetimes on one side only (CHILD rekey_time 17 s, IKE rekey_time 45 s, rand_time 1 s; the other side
/// 1 h / 4 h), so in one pair Petrel initiates every rekey and in the other strongSwan does. Each pair carries a
/// 50 packets/s ping and a paced TCP stream through the tunnel: no ping may be lost, the stream's SHA-256 must
/// match, and each side's log must show ≥ 5 CHILD_SA and ≥ 2 IKE_SA rekeys it initiated.
/// In the pair where Petrel rekeys, strongSwan set up the IKE SA (Petrel rekeys as the original responder);
/// in the other, Petrel did.
/// </summary>
[Trait("Category", "Interop")]
public sealed class RekeyInteropTests(RekeyInteropLab fixture, ITestOutputHelper output) : IClassFixture<RekeyInteropLab>
{
    private static readonly TimeSpan TrafficTime = TimeSpan.FromSeconds(110);
    private const int PingsPerSecond = 50;

    /// <summary>The lab config with lifetimes inserted: IKE ones after dpd_delay, CHILD ones after start_action.</summary>
    private static string Config(LabSite local, LabSite remote, bool shortLifetimes)
    {
        var (child, ike) = shortLifetimes ? ("17s", "45s") : ("1h", "4h");
        return LabConfig.For(local, remote, ProposalPair.ByName("gcm128"))
            .Replace("    dpd_delay = 0\n", $"    dpd_delay = 0\n    rekey_time = {ike}\n    rand_time = 1s\n")
            .Replace("        start_action = none\n", $"        start_action = none\n        rekey_time = {child}\n        rand_time = 1s\n");
    }

    private sealed record Outcome(string Name, string PingSummary, int Sent, int Received, TcpTransfer.Result Stream,
        int PetrelChildRekeys, int PetrelIkeRekeys, int CharonChildRekeys, int CharonIkeRekeys);

    private static int Count(string log, string pattern) => Regex.Matches(log, pattern, RegexOptions.Multiline).Count;

    private static Outcome Run(string name, NamespacePair lab, bool petrelRekeys)
    {
        // Petrel on the left, charon on the right; the side that sets up the IKE SA is the one that does not rekey.
        using var strongswan = StrongSwanPeer.Start(lab, lab.Right, Config(lab.Right, lab.Left, shortLifetimes: !petrelRekeys));
        using var petrel = PetrelPeer.Start(lab, lab.Left, Config(lab.Left, lab.Right, shortLifetimes: petrelRekeys));
        try
        {
            if (petrelRekeys) strongswan.Initiate(LabConfig.Child).EnsureSuccess();
            else petrel.Up(LabConfig.Connection, LabConfig.Child).EnsureSuccess();
            lab.Ping(lab.Left, lab.Right, count: 2).EnsureSuccess();

            int count = (int)(TrafficTime.TotalSeconds * PingsPerSecond);
            var ping = lab.Start(lab.Left, "rekey-ping.log",
                ["ping", "-4", "-q", "-c", count.ToString(), "-i", (1.0 / PingsPerSecond).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
                 "-W", "5", "-I", lab.Left.LanV4, lab.Right.LanV4]);
            var stream = PacedTcpStream.Run(lab.Left, lab.Right, TrafficTime - TimeSpan.FromSeconds(2));
            if (!ping.WaitForExit(TimeSpan.FromSeconds(30))) throw new TimeoutException($"{name}: ping did not finish");
            var summary = ping.ReadLog();
            var m = Regex.Match(summary, @"(\d+) packets transmitted, (\d+) received");
            if (!m.Success) throw new InvalidOperationException($"{name}: no ping summary in\n{summary}");

            var petrelLog = petrel.Log();
            var charonLog = File.ReadAllText(strongswan.LogPath);
            File.Copy(strongswan.LogPath, Path.Combine(lab.WorkDir, $"charon-{name}.log"), overwrite: true);
            File.WriteAllText(Path.Combine(lab.WorkDir, $"petrel-{name}.log"), petrelLog);
            return new Outcome(name, summary.Trim(), int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), stream,
                Count(petrelLog, @"rekeying CHILD_SA "), Count(petrelLog, @"rekeying IKE_SA "),
                Count(charonLog, @"generating CREATE_CHILD_SA request \d+ \[ N\(REKEY_SA\)"),
                Count(charonLog, @"generating CREATE_CHILD_SA request \d+ \[ SA No KE \]"));
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{name} failed: {e.Message}\n{strongswan.Diagnostics()}\n{petrel.Diagnostics()}", e);
        }
    }

    [RootFact]
    public void Both_sides_rekey_child_and_ike_sas_under_traffic_without_losing_a_ping()
    {
        var sw = Stopwatch.StartNew();
        var petrelSide = Task.Run(() => Run("petrel-rekeys", fixture.PetrelRekeys, petrelRekeys: true));
        var charonSide = Task.Run(() => Run("strongswan-rekeys", fixture.StrongSwanRekeys, petrelRekeys: false));
        var results = new[] { petrelSide.GetAwaiter().GetResult(), charonSide.GetAwaiter().GetResult() };
        foreach (var r in results)
            output.WriteLine($"{r.Name}: ping {r.Received}/{r.Sent}; stream {r.Stream}; Petrel initiated {r.PetrelChildRekeys} CHILD / {r.PetrelIkeRekeys} IKE rekeys, " +
                $"charon initiated {r.CharonChildRekeys} CHILD / {r.CharonIkeRekeys} IKE rekeys");
        output.WriteLine($"wall time {sw.Elapsed.TotalSeconds:0.0} s");

        var (p, s) = (results[0], results[1]);
        Assert.True(p.PetrelChildRekeys >= 5, $"Petrel initiated {p.PetrelChildRekeys} CHILD_SA rekeys");
        Assert.True(p.PetrelIkeRekeys >= 2, $"Petrel initiated {p.PetrelIkeRekeys} IKE_SA rekeys");
        Assert.True(s.CharonChildRekeys >= 5, $"charon initiated {s.CharonChildRekeys} CHILD_SA rekeys");
        Assert.True(s.CharonIkeRekeys >= 2, $"charon initiated {s.CharonIkeRekeys} IKE_SA rekeys");
        // The passive side answered, it did not initiate (its lifetimes are hours).
        Assert.Equal(0, p.CharonChildRekeys + p.CharonIkeRekeys);
        Assert.Equal(0, s.PetrelChildRekeys + s.PetrelIkeRekeys);
        foreach (var r in results)
        {
            Assert.True(r.Sent == r.Received, $"{r.Name}: {r.Sent - r.Received} of {r.Sent} pings lost\n{r.PingSummary}");
            Assert.True(r.Stream.ChecksumsMatch, $"{r.Name}: stream {r.Stream}");
            Assert.True(r.Stream.BytesReceived > 10 * 1024 * 1024, $"{r.Name}: stream {r.Stream}");
        }
    }
}

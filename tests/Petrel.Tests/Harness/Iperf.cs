using System.Text.Json;

namespace Petrel.Tests.Harness;

/// <summary>iperf3 TCP between two sites (server in <c>to</c>, client in <c>from</c>), JSON output.</summary>
public static class Iperf
{
    /// <summary>
    /// iperf3's own totals. With -n the receiver's figure can fall short of what was sent, because
    /// the server stops counting when the test-end message arrives; byte-exact delivery is what
    /// <see cref="TcpTransfer"/> checks.
    /// </summary>
    public sealed record Result(long BytesSent, long BytesReceived, double ReceiverBitsPerSecond, string Json);

    /// <summary>Sends <paramref name="bytes"/> (iperf3 -n) or runs for <paramref name="seconds"/> (-t).</summary>
    public static Result Run(NamespacePair lab, LabSite from, LabSite to, long? bytes = null, int seconds = 10, bool ipv6 = false, bool outer = false, int port = 5201)
    {
        var dst = outer ? (ipv6 ? to.OuterV6 : to.OuterV4) : (ipv6 ? to.LanV6 : to.LanV4);
        var src = outer ? (ipv6 ? from.OuterV6 : from.OuterV4) : (ipv6 ? from.LanV6 : from.LanV4);
        using var server = lab.Start(to, $"iperf3-server-{port}.log", ["iperf3", "-s", "-1", "-B", dst, "-p", port.ToString()]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!lab.Exec(to, "ss", "-Hltn", $"sport = :{port}").StandardOutput.Contains(':'))
        {
            if (server.HasExited || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"iperf3 server did not start: {server.ReadLog()}");
            Thread.Sleep(100);
        }
        string[] amount = bytes is long n ? ["-n", n.ToString()] : ["-t", seconds.ToString()];
        var r = lab.Exec(from, TimeSpan.FromSeconds(seconds + 60),
            ["iperf3", "-c", dst, "-B", src, "-p", port.ToString(), "-J", "--connect-timeout", "10000", .. amount]);
        server.Stop(grace: TimeSpan.FromSeconds(3));
        if (!r.Succeeded) throw new InvalidOperationException("iperf3 client failed: " + r.Describe());
        using var doc = JsonDocument.Parse(r.StandardOutput);
        var end = doc.RootElement.GetProperty("end");
        var received = end.GetProperty("sum_received");
        return new Result((long)end.GetProperty("sum_sent").GetProperty("bytes").GetDouble(),
            (long)received.GetProperty("bytes").GetDouble(), received.GetProperty("bits_per_second").GetDouble(), r.StandardOutput);
    }
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Petrel.Tests.Harness;
using Xunit.Abstractions;

namespace Petrel.Tests.Dashboard;

/// <summary>The namespace pair of <see cref="DashboardPrometheusTests"/>.</summary>
public sealed class DashboardPrometheusLab : LabFixture
{
    protected override string Tag => "dp";
}

/// <summary>
/// A real Prometheus (Debian's) scrapes Petrel: two Petrel daemons in namespaces carry pings through their
/// tunnel; the left one serves /metrics on its outer address, port 8480 (token required); Prometheus runs in the same
/// namespace with its own config and data directory, scraping every second with the token. Its HTTP API must
/// return Petrel's series: the IKE SA ESTABLISHED, and the CHILD_SA byte and packet counters rising with the
/// traffic to exactly what list-sas says. The dashboard listens on the left site's outer address, so the right
/// site reaching it without the token is refused.
/// </summary>
[Trait("Category", "Interop")]
public sealed class DashboardPrometheusTests(DashboardPrometheusLab fixture, ITestOutputHelper output) : IClassFixture<DashboardPrometheusLab>
{
    private const string Token = "prometheus-scrape-token-0123456789";

    private static HttpClient InNamespace(string netns) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancel) =>
        {
            var socket = NamespaceSocket.Create(netns, AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint.Host == "localhost" ? new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port)
                    : new IPEndPoint(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port), cancel);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Prometheus's instant query: the one value of the series the selector names, or null while it has none.</summary>
    private static async Task<double?> QueryAsync(HttpClient prometheus, string selector)
    {
        string json;
        try
        {
            json = await prometheus.GetStringAsync("http://127.0.0.1:9090/api/v1/query?query=" + Uri.EscapeDataString(selector));
        }
        catch (HttpRequestException)
        {
            return null; // Prometheus is still starting
        }
        var result = JsonNode.Parse(json)!["data"]!["result"]!.AsArray();
        if (result.Count != 1) return null;
        return double.Parse((string)result[0]!["value"]![1]!, CultureInfo.InvariantCulture);
    }

    private static async Task<double> WaitForAsync(HttpClient prometheus, string selector, Func<double, bool> done, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        double? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await QueryAsync(prometheus, selector);
            if (last is { } v && done(v)) return v;
            await Task.Delay(500);
        }
        throw new TimeoutException($"Prometheus: {selector} = {last?.ToString(CultureInfo.InvariantCulture) ?? "no series"} after {limit.TotalSeconds} s");
    }

    private static JsonObject Child(PetrelPeer p) => JsonNode.Parse(p.Cli("list-sas", "--json").StandardOutput)!.AsArray()[0]!["children"]![0]!.AsObject();

    [RootFact]
    public async Task Prometheus_scrapes_states_and_byte_counters_that_rise_with_the_traffic()
    {
        var lab = fixture.Lab;
        using var right = PetrelPeer.Start(lab, lab.Right, LabConfig.For(lab.Right, lab.Left, ProposalPair.Gcm128));
        using var left = PetrelPeer.Start(lab, lab.Left, LabConfig.For(lab.Left, lab.Right, ProposalPair.Gcm128,
            extra: $"petrel {{\n  dashboard = {lab.Left.OuterV4}:8480\n  dashboard_token = {Token}\n}}"));
        var up = left.Up(LabConfig.Connection, LabConfig.Child);
        Assert.True(up.Succeeded, up.Describe());

        string dir = Path.Combine(lab.Left.WorkDir, "prometheus");
        Directory.CreateDirectory(Path.Combine(dir, "data"));
        File.WriteAllText(Path.Combine(dir, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: petrel
                authorization:
                  type: Bearer
                  credentials: {Token}
                static_configs:
                  - targets: ['{lab.Left.OuterV4}:8480']
            """);
        var prometheusProcess = lab.Start(lab.Left, "prometheus.log",
            ["prometheus", $"--config.file={Path.Combine(dir, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(dir, "data")}",
             "--web.listen-address=127.0.0.1:9090", "--storage.tsdb.retention.time=1h"]);
        using var prometheus = InNamespace(lab.Left.Namespace);
        try
        {
            // On its outer (non-loopback) address the dashboard refuses the other site without the token, and serves it with.
            using (var fromRight = InNamespace(lab.Right.Namespace))
            {
                string baseUri = $"http://{lab.Left.OuterV4}:8480";
                Assert.Equal(HttpStatusCode.Unauthorized, (await fromRight.GetAsync(baseUri + "/metrics")).StatusCode);
                Assert.Equal(HttpStatusCode.Unauthorized, (await fromRight.GetAsync(baseUri + "/api/state")).StatusCode);
                Assert.Equal(HttpStatusCode.Unauthorized, (await fromRight.PostAsync(baseUri + "/api/down",
                    new StringContent("{\"connection\":\"lab\"}", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
                var withToken = new HttpRequestMessage(HttpMethod.Get, baseUri + "/api/state");
                withToken.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
                var state = await fromRight.SendAsync(withToken);
                Assert.Equal(HttpStatusCode.OK, state.StatusCode);
                Assert.Equal("ESTABLISHED", (string?)JsonNode.Parse(await state.Content.ReadAsStringAsync())!["sas"]![0]!["state"]);
            }

            // The scrape works (up = 1) and the SA is ESTABLISHED.
            await WaitForAsync(prometheus, "up{job=\"petrel\"}", v => v == 1, TimeSpan.FromSeconds(60));
            Assert.Equal(1, await WaitForAsync(prometheus, "ipsec_ike_sas{state=\"ESTABLISHED\"}", v => v == 1, TimeSpan.FromSeconds(20)));
            Assert.Equal(1, await WaitForAsync(prometheus, "ipsec_ike_sa_state{connection=\"lab\",state=\"ESTABLISHED\"}", v => v == 1, TimeSpan.FromSeconds(20)));
            Assert.Equal(1, await WaitForAsync(prometheus, "ipsec_child_sa_state{connection=\"lab\",child=\"net\",state=\"INSTALLED\"}", v => v == 1, TimeSpan.FromSeconds(20)));

            var before = Child(left);
            string spi = (string)before["spi_out"]!;
            string bytesOut = $"ipsec_child_sa_bytes_out{{connection=\"lab\",child=\"net\",spi_out=\"{spi}\"}}";
            string bytesIn = $"ipsec_child_sa_bytes_in{{connection=\"lab\",child=\"net\",spi_out=\"{spi}\"}}";
            double startOut = await WaitForAsync(prometheus, bytesOut, v => v == (ulong)before["bytes_out"]!, TimeSpan.FromSeconds(20));

            var ping = lab.Ping(lab.Left, lab.Right, count: 20, size: 1000);
            Assert.True(ping.Succeeded, ping.Describe());
            var after = Child(left);
            Assert.Equal(spi, (string)after["spi_out"]!);
            ulong wantOut = (ulong)after["bytes_out"]!, wantIn = (ulong)after["bytes_in"]!, wantPackets = (ulong)after["packets_out"]!;
            Assert.True(wantOut >= (ulong)startOut + 20 * 1000, $"list-sas bytes_out {wantOut} after 20 pings of 1000 bytes, {startOut} before");

            // Prometheus's latest samples equal what list-sas says after the traffic.
            Assert.Equal(wantOut, await WaitForAsync(prometheus, bytesOut, v => v == wantOut, TimeSpan.FromSeconds(20)));
            Assert.Equal(wantIn, await WaitForAsync(prometheus, bytesIn, v => v == wantIn, TimeSpan.FromSeconds(20)));
            Assert.Equal(wantPackets, await WaitForAsync(prometheus, $"ipsec_child_sa_packets_out{{spi_out=\"{spi}\"}}", v => v == wantPackets, TimeSpan.FromSeconds(20)));
            // And it saw them rise: the counter's increase over the last minute is the traffic's.
            double increase = await WaitForAsync(prometheus, $"max_over_time({bytesOut}[1m]) - min_over_time({bytesOut}[1m])", v => v >= 20 * 1000, TimeSpan.FromSeconds(10));
            output.WriteLine($"bytes_out {startOut} -> {wantOut} (Prometheus saw +{increase}), bytes_in {wantIn}, packets_out {wantPackets}");
            Assert.Equal(1, await WaitForAsync(prometheus, "ipsec_ike_exchanges_total{exchange=\"IKE_AUTH\",role=\"initiator\"}", v => v == 1, TimeSpan.FromSeconds(10)));
            // Per connection: the bytes of its CHILD_SAs (one SA here, so the same number) and its IKE messages both ways.
            Assert.Equal(wantOut, await WaitForAsync(prometheus, "ipsec_connection_bytes_total{connection=\"lab\",direction=\"out\"}", v => v == wantOut, TimeSpan.FromSeconds(20)));
            Assert.Equal(1, await WaitForAsync(prometheus, "ipsec_connection_ike_messages_total{connection=\"lab\",exchange=\"IKE_AUTH\",direction=\"in\",type=\"response\"}", v => v == 1, TimeSpan.FromSeconds(10)));
            Assert.Equal(0, await WaitForAsync(prometheus, "ipsec_ike_failures_total{reason=\"identity\"}", v => v == 0, TimeSpan.FromSeconds(10)));
        }
        catch
        {
            output.WriteLine(prometheusProcess.ReadLog());
            output.WriteLine(left.Log());
            throw;
        }
    }
}

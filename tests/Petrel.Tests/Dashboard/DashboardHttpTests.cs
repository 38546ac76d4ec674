using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Petrel.Config;

namespace Petrel.Tests.Dashboard;

/// <summary>The dashboard's HTTP side against real daemons on loopback: access rules, CSRF, actions, /metrics.</summary>
public sealed class DashboardHttpTests
{
    private static HttpClient Client(DashboardLab lab, CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), UseCookies = true, AllowAutoRedirect = false }) { BaseAddress = lab.BaseUri };

    private static async Task<HttpClient> SignedIn(DashboardLab lab)
    {
        var client = Client(lab);
        var login = await client.PostAsync("/login", new FormUrlEncodedContent([new("token", DashboardLab.Token)]));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        return client;
    }

    private static StringContent Body(string connection) => new($"{{\"connection\":\"{connection}\"}}", Encoding.UTF8, "application/json");

    [Fact]
    public async Task Without_the_token_every_page_is_refused_and_the_wrong_token_does_not_sign_in()
    {
        await using var lab = await DashboardLab.StartAsync();
        using var client = Client(lab);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/state")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/events")).StatusCode);
        var root = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/login", root.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/down", Body("lab"))).StatusCode);
        var wrong = await client.PostAsync("/login", new FormUrlEncodedContent([new("token", "not-the-token-at-all")]));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token-at-all");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/state")).StatusCode);
        Assert.DoesNotContain(DashboardLab.Token, await (await client.GetAsync("/login")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Signed_in_the_page_and_its_files_are_served_with_a_strict_policy()
    {
        await using var lab = await DashboardLab.StartAsync();
        using var client = await SignedIn(lab);
        var page = await client.GetAsync("/");
        string html = await page.Content.ReadAsStringAsync();
        Assert.True(page.IsSuccessStatusCode, $"{(int)page.StatusCode} {html}");
        Assert.Contains("<script src=\"/static/app.js\"", html);
        Assert.Contains("frame-ancestors 'none'", string.Join(";", page.Headers.GetValues("Content-Security-Policy")));
        Assert.Contains("EventSource", await client.GetStringAsync("/static/app.js"));
        Assert.Contains(".state-ESTABLISHED", await client.GetStringAsync("/static/app.css"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/static/../petrel.dll")).StatusCode);
    }

    [Fact]
    public async Task Actions_need_the_sessions_csrf_token_and_the_same_origin_then_down_deletes_the_sa()
    {
        await using var lab = await DashboardLab.StartAsync();
        var up = lab.Cli("up", "lab", "--timeout", "20");
        Assert.True(up.Code == 0, up.Err);
        using var client = await SignedIn(lab);
        var state = JsonNode.Parse(await client.GetStringAsync("/api/state"))!.AsObject();
        string csrf = (string)state["csrf"]!;
        Assert.True((bool)state["can_act"]!);
        Assert.Equal("ESTABLISHED", (string?)state["sas"]![0]!["state"]);
        Assert.Contains(state["events"]!.AsArray(), e => (string?)e!["event"] == "ike-updown" && (bool?)e["up"] == true);

        // Signed in, but no CSRF token / a wrong one / a foreign Origin: refused, and the SA stays.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/down", Body("lab"))).StatusCode);
        var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/down") { Content = Body("lab") };
        wrong.Headers.Add("X-CSRF-Token", new string('0', csrf.Length));
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(wrong)).StatusCode);
        var foreign = new HttpRequestMessage(HttpMethod.Post, "/api/down") { Content = Body("lab") };
        foreign.Headers.Add("X-CSRF-Token", csrf);
        foreign.Headers.Add("Origin", "http://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(foreign)).StatusCode);
        Assert.Equal("ESTABLISHED", (string?)JsonNode.Parse(lab.Cli("list-sas", "--json").Out)!.AsArray()[0]!["state"]);

        var down = new HttpRequestMessage(HttpMethod.Post, "/api/down") { Content = Body("lab") };
        down.Headers.Add("X-CSRF-Token", csrf);
        down.Headers.Add("Origin", lab.BaseUri.GetLeftPart(UriPartial.Authority));
        var answer = await client.SendAsync(down);
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        Assert.Empty(JsonNode.Parse(lab.Cli("list-sas", "--json").Out)!.AsArray());
    }

    [Fact]
    public async Task Bearer_token_drives_up_and_rekey_and_metrics_show_states_and_counters()
    {
        await using var lab = await DashboardLab.StartAsync();
        using var client = Client(lab);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DashboardLab.Token);
        var up = await client.PostAsync("/api/up", Body("lab"));
        Assert.True(up.IsSuccessStatusCode, await up.Content.ReadAsStringAsync());
        var unknown = await client.PostAsync("/api/up", Body("nope"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no connection named 'nope'", await unknown.Content.ReadAsStringAsync());

        string metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("ipsec_ike_sas{state=\"ESTABLISHED\"} 1", metrics);
        Assert.Contains("ipsec_ike_sas{state=\"CONNECTING\"} 0", metrics);
        Assert.Matches("ipsec_ike_sa_state\\{connection=\"lab\",unique_id=\"1\",local_host=\"127.0.0.1\",remote_host=\"127.0.0.2\",state=\"ESTABLISHED\"\\} 1", metrics);
        Assert.Matches("ipsec_child_sa_bytes_in\\{connection=\"lab\",child=\"net\",unique_id=\"1\",ike_sa_id=\"1\",spi_in=\"[0-9a-f]{8}\",spi_out=\"[0-9a-f]{8}\"\\} 0", metrics);
        Assert.Contains("ipsec_ike_exchanges_total{exchange=\"IKE_SA_INIT\",role=\"initiator\"} 1", metrics);
        Assert.Contains("ipsec_ike_exchanges_total{exchange=\"IKE_AUTH\",role=\"initiator\"} 1", metrics);
        // The same exchanges counted per connection, sent and received.
        Assert.Contains("ipsec_connection_ike_messages_total{connection=\"lab\",exchange=\"IKE_AUTH\",direction=\"out\",type=\"request\"} 1", metrics);
        Assert.Contains("ipsec_connection_ike_messages_total{connection=\"lab\",exchange=\"IKE_AUTH\",direction=\"in\",type=\"response\"} 1", metrics);
        Assert.Contains("ipsec_ike_messages_total{exchange=\"IKE_SA_INIT\",direction=\"in\",type=\"response\"} 1", metrics);
        Assert.Contains("ipsec_connection_bytes_total{connection=\"lab\",direction=\"in\"} 0", metrics);
        Assert.Contains("ipsec_ike_failures_total{reason=\"proposal\"} 0", metrics);
        Assert.Contains("ipsec_ike_half_open_sas 0", metrics);
        Assert.Contains("ipsec_dataplane_drops_total{reason=", metrics);

        var rekey = await client.PostAsync("/api/rekey", Body("lab"));
        Assert.True(rekey.IsSuccessStatusCode, await rekey.Content.ReadAsStringAsync());
        string after = "";
        for (int i = 0; i < 150 && !after.Contains("ipsec_ike_rekeys_total{sa=\"ike\"} 1"); i++)
        {
            await Task.Delay(100);
            after = await client.GetStringAsync("/metrics");
        }
        Assert.Contains("ipsec_ike_rekeys_total{sa=\"ike\"} 1", after);
        Assert.Contains("ipsec_connection_rekeys_total{connection=\"lab\",sa=\"ike\"} 1", after);
        Assert.Matches("ipsec_ike_sa_state\\{connection=\"lab\",unique_id=\"2\",[^}]*state=\"ESTABLISHED\"\\} 1", after);
        // The rekeyed SA's series is gone once it is.
        for (int i = 0; i < 150 && after.Contains("unique_id=\"1\",local_host"); i++)
        {
            await Task.Delay(100);
            after = await client.GetStringAsync("/metrics");
        }
        Assert.DoesNotContain("ipsec_ike_sa_state{connection=\"lab\",unique_id=\"1\"", after);
    }

    [Fact]
    public async Task Without_a_configured_token_loopback_pages_are_open_and_actions_refused()
    {
        await using var lab = await DashboardLab.StartAsync(token: null);
        using var client = Client(lab);
        var state = JsonNode.Parse(await client.GetStringAsync("/api/state"))!;
        Assert.False((bool)state["can_act"]!);
        Assert.Contains("ipsec_ike_sas", await client.GetStringAsync("/metrics"));
        var up = await client.PostAsync("/api/up", Body("lab"));
        Assert.Equal(HttpStatusCode.Forbidden, up.StatusCode);
        Assert.Contains("dashboard_token", await up.Content.ReadAsStringAsync());
        Assert.Empty(JsonNode.Parse(lab.Cli("list-sas", "--json").Out)!.AsArray());
    }

    [Theory]
    [InlineData("dashboard = 198.18.0.1:8480", "swanctl.conf:2: petrel.dashboard: '198.18.0.1:8480' is not a loopback address: set dashboard_token too")]
    [InlineData("dashboard = 127.0.0.1", "swanctl.conf:2: petrel.dashboard: '127.0.0.1' is not ADDRESS:PORT")]
    [InlineData("dashboard = localhost:8480", "is not ADDRESS:PORT")]
    [InlineData("dashboard = 127.0.0.1:8480\n dashboard_token = short", "swanctl.conf:3: petrel.dashboard_token: must be at least 16 printable characters")]
    public void Bad_dashboard_settings_are_refused_with_file_and_line(string settings, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => SwanctlLoader.LoadText($"petrel {{\n {settings}\n}}\n"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Dashboard_settings_load_and_the_token_is_not_in_the_error_of_a_neighbour()
    {
        var d = SwanctlLoader.LoadText("petrel {\n dashboard = 198.18.0.1:8480\n dashboard_token = abcdefghijklmnopqrstuvwxyz\n}\n").Daemon;
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.18.0.1"), 8480), d.Dashboard);
        Assert.Equal("abcdefghijklmnopqrstuvwxyz", d.DashboardToken);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 8480), SwanctlLoader.LoadText("petrel {\n dashboard = [::1]:8480\n}\n").Daemon.Dashboard);
        Assert.Null(SwanctlLoader.LoadText("petrel {\n}\n").Daemon.Dashboard);
    }

    [Fact]
    public void The_settings_record_does_not_print_the_dashboard_token()
    {
        var d = SwanctlLoader.LoadText("petrel {\n dashboard = 127.0.0.1:8480\n dashboard_token = abcdefghijklmnopqrstuvwxyz\n}\n").Daemon;
        string printed = d.ToString();
        Assert.Contains("Dashboard = 127.0.0.1:8480", printed);
        Assert.DoesNotContain("abcdefghijklmnop", printed);
    }
}

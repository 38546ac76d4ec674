using System.Text.Json.Nodes;
using PuppeteerSharp;
using Xunit.Abstractions;

namespace Petrel.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser: headless Chromium (Debian's, driven by PuppeteerSharp) signs in with
/// the token and watches the page change without reloading while the daemons bring the tunnel up, rekey
/// it and take it down: every state in its SPEC.md colour, read through the computed style; the buttons
/// act. A screenshot is kept under /tmp/petrel-e2e/dashboard/.
/// </summary>
[Trait("Category", "Browser")]
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Green = "rgb(46, 125, 50)", Orange = "rgb(255, 152, 0)", Red = "rgb(198, 40, 40)";
    private static readonly string Artefacts = "/tmp/petrel-e2e/dashboard";

    private static async Task<IBrowser> LaunchAsync() => await Puppeteer.LaunchAsync(new LaunchOptions
    {
        Headless = true,
        ExecutablePath = Chromium,
        // Root (CI) cannot use Chromium's sandbox; the page is our own.
        Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });

    /// <summary>
    /// The computed background of the first IKE SA badge in this state, read in the same JavaScript turn that finds
    /// it: the page re-renders every second, so an element handle kept across calls may be detached meanwhile.
    /// </summary>
    private static async Task<string> StateColourAsync(IPage page, string state)
    {
        string sel = $".ike .state[data-state='{state}']";
        await page.WaitForFunctionAsync($"() => !!document.querySelector(\"{sel}\")", new WaitForFunctionOptions { Timeout = 20000 });
        return await page.EvaluateExpressionAsync<string>($"(() => {{ const e = document.querySelector(\"{sel}\"); return e ? getComputedStyle(e).backgroundColor : 'gone'; }})()");
    }

    /// <summary>Clicks the first element matching the selector, found and clicked in one JavaScript turn (see above).</summary>
    private static async Task ClickAsync(IPage page, string selector)
    {
        await page.WaitForFunctionAsync($"() => !!document.querySelector(\"{selector}\")", new WaitForFunctionOptions { Timeout = 20000 });
        await page.EvaluateExpressionAsync($"document.querySelector(\"{selector}\").click()");
    }

    private static JsonArray Sas(DashboardLab lab) => JsonNode.Parse(lab.Cli("list-sas", "--json").Out)!.AsArray();

    [Fact]
    public async Task Chromium_sees_states_in_their_colours_live_and_the_buttons_act()
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium is missing (tests/packages.txt lists it)");
        Directory.CreateDirectory(Artefacts);
        await using var lab = await DashboardLab.StartAsync(extraA: "retransmit_timeout = 0.5\n  retransmit_base = 1.5\n  retransmit_tries = 3");
        await using var browser = await LaunchAsync();
        await using var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1400, Height = 1000 });

        // Without the token: the page sends us to sign in, and nothing about the SAs is shown.
        await page.GoToAsync(lab.BaseUri + "");
        Assert.EndsWith("/login", page.Url);
        await page.TypeAsync("#token", DashboardLab.Token);
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("#login"));
        Assert.Equal(lab.BaseUri.ToString(), page.Url);
        await page.WaitForSelectorAsync("#live.on", new WaitForSelectorOptions { Timeout = 10000 });
        await page.EvaluateExpressionAsync("window.__notReloaded = 42");

        // Up from the CLI: the page shows the IKE SA, green, without a reload.
        var up = lab.Cli("up", "lab", "--timeout", "20");
        Assert.True(up.Code == 0, up.Err);
        Assert.Equal(Green, await StateColourAsync(page, "ESTABLISHED"));
        Assert.Equal(42, await page.EvaluateExpressionAsync<int>("window.__notReloaded"));
        string spiIn = (string)Sas(lab)[0]!["children"]![0]!["spi_in"]!;
        Assert.Contains(spiIn, await page.EvaluateExpressionAsync<string>("document.querySelector('tr.child').textContent"));
        Assert.Contains("INSTALLED", await page.EvaluateExpressionAsync<string>("document.querySelector('tr.child .child-state').textContent"));
        Assert.Contains("ike-updown up", await page.EvaluateExpressionAsync<string>("document.querySelector('#events').textContent"));
        await page.ScreenshotAsync(Path.Combine(Artefacts, "established.png"));

        // The rekey button on the IKE SA: a new IKE SA (id 2) replaces id 1, live.
        await ClickAsync(page, ".ike[data-ike-sa-id='1'] h3 .act-rekey");
        await page.WaitForSelectorAsync(".ike[data-ike-sa-id='2'] .state[data-state='ESTABLISHED']", new WaitForSelectorOptions { Timeout = 20000 });
        await page.WaitForFunctionAsync("() => document.querySelector('#events').textContent.includes('ike-rekey')", new WaitForFunctionOptions { Timeout = 10000 });
        // The connection's row counts its IKE messages both ways: IKE_SA_INIT, IKE_AUTH and the rekey's CREATE_CHILD_SA at least.
        await page.WaitForFunctionAsync("() => { const c = document.querySelector(\"tr.connection[data-connection='lab'] .ike-messages\"); return !!c && +c.dataset.out >= 3 && +c.dataset.in >= 3; }",
            new WaitForFunctionOptions { Timeout = 10000 });

        // The peer goes away; the down button starts a delete nobody answers: DELETING, red, until the retransmits give up.
        await lab.StopPeerAsync();
        await ClickAsync(page, "tr.connection[data-connection='lab'] .act-down");
        Assert.Equal(Red, await StateColourAsync(page, "DELETING"));
        await page.WaitForFunctionAsync("() => !document.querySelector('.ike')", new WaitForFunctionOptions { Timeout = 30000 });
        Assert.Empty(Sas(lab));

        // Up with nobody answering: CONNECTING, orange; then the failure with its reason in the events.
        await ClickAsync(page, "tr.connection[data-connection='lab'] .act-up");
        Assert.Equal(Orange, await StateColourAsync(page, "CONNECTING"));
        await page.ScreenshotAsync(Path.Combine(Artefacts, "connecting.png"));
        await page.WaitForFunctionAsync("() => document.querySelector('#events').textContent.includes('failure (timeout)')", new WaitForFunctionOptions { Timeout = 30000 });
        Assert.Contains("does not answer", await page.EvaluateExpressionAsync<string>("document.querySelector('#events tr.failure').textContent"));
        Assert.Equal(42, await page.EvaluateExpressionAsync<int>("window.__notReloaded"));
        await page.ScreenshotAsync(Path.Combine(Artefacts, "dashboard.png"));
        output.WriteLine($"screenshots in {Artefacts}");
    }

    [Fact]
    public async Task A_button_without_a_session_is_refused_and_the_sa_stays()
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium is missing (tests/packages.txt lists it)");
        await using var lab = await DashboardLab.StartAsync();
        Assert.True(lab.Cli("up", "lab", "--timeout", "20").Code == 0);
        await using var browser = await LaunchAsync();
        await using var page = await browser.NewPageAsync();
        await page.GoToAsync(lab.BaseUri + "login");
        // A page script without the session's CSRF token (here: a forged fetch from the login page) is refused.
        int status = await page.EvaluateExpressionAsync<int>(
            "fetch('/api/down', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({connection: 'lab'})}).then(r => r.status)");
        Assert.Equal(401, status);
        Assert.Equal("ESTABLISHED", (string?)Sas(lab)[0]!["state"]);
    }
}

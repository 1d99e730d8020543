using System.Text.RegularExpressions;
using Micro.IntegrationTests;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Micro.Web.BrowserTests;

/// <summary>
/// examples/EdgeInApp in a real browser: the dashboard mapped at /ops inside one's own app signs in, lists the greeter
/// live, opens its page and calls it from the form, every link and request staying under /ops.
/// </summary>
public sealed class EdgeInAppBrowserTests : IAsyncLifetime
{
    private const string Key = "k-browser-edge-in-app-8e12";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _registry = Path.Combine(Path.GetTempPath(), "micro-edge-browser", Guid.NewGuid().ToString("N"));
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    private Dictionary<string, string> Env => new()
    {
        ["MICRO_REGISTRY"] = "local",
        ["MICRO_REGISTRY_ADDRESS"] = _registry,
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DASHBOARD_KEY"] = Key,
    };

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
        SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        if (Directory.Exists(_registry))
        {
            Directory.Delete(_registry, recursive: true);
        }
    }

    [Fact]
    public async Task The_dashboard_under_ops_signs_in_shows_the_greeter_live_and_calls_it()
    {
        await using var edge = new RunningProcess(Programs.EdgeInApp, [], Env);
        await edge.WaitForOutputAsync("edge-in-app listening on http://", Patience);
        var url = Regex.Match(edge.Output, @"edge-in-app listening on (http://[^\s]+)").Groups[1].Value.TrimEnd('/');

        var page = await _browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        var outside = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(url + "/ops", StringComparison.Ordinal))
            {
                outside.Add(request.Url);
            }
        };

        await page.GotoAsync(url + "/ops/");
        await Expect(page).ToHaveURLAsync(new Regex("/ops/signin\\?return=%2F$"));
        await page.Locator("#credential").FillAsync(Key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(url + "/ops/");
        await Expect(page.Locator("#live")).ToHaveTextAsync("live"); // the feed at /ops/events, on the cookie

        await using var greeter = new RunningProcess(Programs.GreeterService, [], Env);
        await Expect(page.GetByTestId("service-greeter")).ToBeVisibleAsync(); // pushed by the feed, no reload
        await page.GetByTestId("service-greeter").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page).ToHaveURLAsync(url + "/ops/service/greeter");
        await page.GetByTestId("request-Greeter.Hello").FillAsync("""{"name": "Ops"}""");
        await page.GetByTestId("call-Greeter.Hello").ClickAsync(); // POST /ops/api/call with the page's CSRF token
        await Expect(page.GetByTestId("reply-Greeter.Hello")).ToContainTextAsync("Hello Ops");

        Assert.Empty(outside); // app.js asked nothing of the app outside the dashboard's prefix
    }
}

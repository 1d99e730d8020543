using Micro.Edge.Auth;
using Micro.Hosting;
using Micro.Registry;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Micro.Web.BrowserTests;

/// <summary>
/// micro web --auth in a real browser: the sign-in form, then the pages, the JSON API and the live feed all work on the
/// cookie (fetch and EventSource send it), and signing out locks the dashboard again.
/// </summary>
public sealed class SignInBrowserTests : IAsyncLifetime
{
    private const string Key = "k-browser-51c9-signin-key";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _registry = Path.Combine(Path.GetTempPath(), "micro-web-signin-browser", Guid.NewGuid().ToString("N"));
    private MicroEnvironment _environment = null!;
    private DashboardServer _dashboard = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _environment = MicroEnvironment.Create(MicroSettings.Default with { Registry = "local", RegistryAddress = _registry });
        _dashboard = await DashboardServer.StartAsync(new WebOptions { Address = "127.0.0.1:0", Authenticator = new ApiKeyAuthenticator(["carol=" + Key]) }, _environment);
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
        SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _dashboard.DisposeAsync();
        await _environment.DisposeAsync();
        if (Directory.Exists(_registry))
        {
            Directory.Delete(_registry, recursive: true);
        }
    }

    [Fact]
    public async Task A_person_signs_in_sees_the_live_dashboard_and_signs_out()
    {
        var page = await _browser.NewPageAsync();
        page.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        await page.GotoAsync($"http://{_dashboard.Address}/apps");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?return=%2Fapps$"));

        await page.Locator("#credential").FillAsync("k-wrong");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("the API key is not valid");

        await page.Locator("#credential").FillAsync(Key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync($"http://{_dashboard.Address}/apps");
        await Expect(page.Locator("header .user")).ToHaveTextAsync("carol");
        await Expect(page.Locator("#live")).ToHaveTextAsync("live"); // the feed (EventSource) got in on the cookie

        // The live feed pushes a registration to the signed-in page.
        await _environment.Registry.RegisterAsync(new Service { Name = "go.micro.web.notes", Nodes = [new Node { Id = "notes-1", Address = "127.0.0.1:9" }] }, TimeSpan.FromMinutes(5));
        await Expect(page.GetByTestId("app-notes")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin$"));
        await page.GotoAsync($"http://{_dashboard.Address}/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?return=%2F$"));
    }
}

using Micro.Hosting;
using Micro.IntegrationTests;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Micro.Web.BrowserTests;

/// <summary>
/// The dashboard in a real browser (Debian's chromium driven by Playwright) over a real environment: services started and
/// stopped as processes appear and disappear by themselves, the call form calls, the terminal runs commands, and a web app
/// is reached through /hello.
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _registry = Path.Combine(Path.GetTempPath(), "micro-web-browser", Guid.NewGuid().ToString("N"));
    private MicroEnvironment _environment = null!;
    private DashboardServer _dashboard = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    private Dictionary<string, string> Env => new()
    {
        ["MICRO_REGISTRY"] = "local",
        ["MICRO_REGISTRY_ADDRESS"] = _registry,
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
    };

    private string Url => "http://" + _dashboard.Address;

    public async Task InitializeAsync()
    {
        _environment = MicroEnvironment.Create(MicroSettings.Default with { Registry = "local", RegistryAddress = _registry });
        _dashboard = await DashboardServer.StartAsync(new WebOptions { Address = "127.0.0.1:0" }, _environment);
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

    private async Task<IPage> OpenAsync(string path)
    {
        var page = await _browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        await page.GotoAsync(Url + path);
        return page;
    }

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(Programs.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name), FullPage = true });
    }

    [Fact]
    public async Task The_greeter_appears_when_it_starts_is_called_from_the_form_and_disappears_when_it_stops()
    {
        var index = await OpenAsync("/");
        await Expect(index.Locator("#live")).ToHaveTextAsync("live");
        await Expect(index.GetByTestId("service-greeter")).ToHaveCountAsync(0);

        await using var greeter = new RunningProcess(Programs.GreeterService, [], Env);
        await Expect(index.GetByTestId("service-greeter")).ToBeVisibleAsync(); // no reload: pushed by the registry feed
        await Expect(index.GetByTestId("service-greeter").Locator("td.num")).ToHaveTextAsync("1");
        await ScreenshotAsync(index, "dashboard.png");

        await index.GetByTestId("service-greeter").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(index).ToHaveURLAsync(Url + "/service/greeter");
        var endpoint = index.GetByTestId("endpoint-Greeter.Hello");
        await Expect(endpoint).ToContainTextAsync("name");
        var request = index.GetByTestId("request-Greeter.Hello");
        await Expect(request).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("\"name\": \"\""));   // the skeleton from the fields
        await request.FillAsync("""{"name": "John"}""");
        await index.GetByTestId("call-Greeter.Hello").ClickAsync();
        await Expect(index.GetByTestId("reply-Greeter.Hello")).ToContainTextAsync("Hello John");
        await ScreenshotAsync(index, "service.png");

        // A bad request shows the service's error, not a broken page.
        await request.FillAsync("""{"name": """);
        await index.GetByTestId("call-Greeter.Hello").ClickAsync();
        await Expect(index.GetByTestId("reply-Greeter.Hello")).ToContainTextAsync("not valid JSON");

        var terminal = await OpenAsync("/terminal");
        await terminal.GetByTestId("terminal-input").FillAsync("""call greeter Greeter.Hello {"name": "Terminal"}""");
        await terminal.GetByTestId("terminal-input").PressAsync("Enter");
        await Expect(terminal.GetByTestId("terminal-output")).ToContainTextAsync("Hello Terminal");
        await terminal.GetByTestId("terminal-input").FillAsync("list services");
        await terminal.GetByTestId("terminal-input").PressAsync("Enter");
        await Expect(terminal.GetByTestId("terminal-output")).ToContainTextAsync("greeter");

        // Traffic charts on the service page (still open in the first tab), drawn from the greeter's metrics.
        using (var traffic = new CancellationTokenSource())
        {
            var body = System.Text.Encoding.UTF8.GetBytes("{\"name\":\"load\"}");
            var load = Task.Run(async () =>
            {
                while (!traffic.IsCancellationRequested)
                {
                    await _environment.Client.CallAsync(new Micro.Client.MicroRequest("greeter", "Greeter.Hello", body), new Micro.Client.CallOptions());
                    await Task.Delay(20);
                }
            });
            await Expect(index.GetByTestId("chart-requests-value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^[0-9.]*[1-9][0-9.]*/s$"));
            await Expect(index.GetByTestId("chart-latency-value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^p50 [0-9.]+ ms · p99 [0-9.]+ ms$"));
            await Expect(index.GetByTestId("chart-errors-value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^0(\.00)?/s"));
            await Expect(index.GetByTestId("chart-requests").Locator("path.series")).ToHaveAttributeAsync("data-points", new System.Text.RegularExpressions.Regex("^[2-9]|^[1-9][0-9]"));
            await ScreenshotAsync(index, "charts.png");
            await traffic.CancelAsync();
            await load;
        }

        await index.GotoAsync(Url + "/");
        await Expect(index.GetByTestId("service-greeter")).ToBeVisibleAsync();
        Assert.Equal(0, await greeter.TerminateAsync(Patience)); // deregisters on the way out
        await Expect(index.GetByTestId("service-greeter")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_registered_web_app_is_listed_and_served_at_its_name()
    {
        var apps = await OpenAsync("/apps");
        await using var webApp = new RunningProcess(Programs.WebApp, [], Env);
        await Expect(apps.GetByTestId("app-hello")).ToBeVisibleAsync();

        await apps.GetByTestId("app-hello").ClickAsync();
        await Expect(apps).ToHaveURLAsync(Url + "/hello");
        await Expect(apps.Locator("#greeting")).ToHaveTextAsync("Hello from a web app");
        await Expect(apps.Locator("body")).ToContainTextAsync("Served through micro web at /hello/");
        await apps.GetByRole(AriaRole.Link, new() { Name = "About" }).ClickAsync();
        await Expect(apps.Locator("body")).ToContainTextAsync("an ASP.NET Core app behind micro web");

        var missing = await OpenAsync("/nosuchapp");
        await Expect(missing.Locator("main")).ToContainTextAsync("No web app named 'nosuchapp' is registered");
    }
}

using System.Net.Http.Json;
using Micro.Hosting;
using Micro.Registry;

namespace Micro.Web.Tests;

/// <summary>Secrets in registered metadata never reach the dashboard's pages, its API or its terminal.</summary>
public sealed class DashboardSecretsTests : IAsyncLifetime
{
    private const string Token = "tok-4f9a7c";
    private const string Password = "pw-81d2e3";
    private readonly string _registry = Path.Combine(Path.GetTempPath(), "micro-web-secrets", Guid.NewGuid().ToString("N"));
    private MicroEnvironment _environment = null!;
    private DashboardServer _dashboard = null!;

    public async Task InitializeAsync()
    {
        _environment = MicroEnvironment.Create(MicroSettings.Default with { Registry = "local", RegistryAddress = _registry });
        _dashboard = await DashboardServer.StartAsync(new WebOptions { Address = "127.0.0.1:0" }, _environment);
        await _environment.Registry.RegisterAsync(new Service
        {
            Name = "billing",
            Version = "1",
            Metadata = new Dictionary<string, string> { ["api_token"] = Token, ["region"] = "eu-west" },
            Nodes =
            [
                new Node
                {
                    Id = "billing-1",
                    Address = "127.0.0.1:9999",
                    Metadata = new Dictionary<string, string> { ["DB-Password"] = Password, ["queue"] = $"amqp://app:{Password}@127.0.0.1:5672/" },
                },
            ],
            Endpoints = [new Endpoint { Name = "Billing.Charge", Metadata = new Dictionary<string, string> { ["clientSecret"] = Token } }],
        }, TimeSpan.FromMinutes(5));
    }

    public async Task DisposeAsync()
    {
        await _dashboard.DisposeAsync();
        await _environment.DisposeAsync();
        Directory.Delete(_registry, recursive: true);
    }

    [Fact]
    public async Task The_service_api_masks_secret_metadata_and_url_passwords()
    {
        using var http = new HttpClient();
        var json = await http.GetStringAsync($"http://{_dashboard.Address}/api/services/billing");
        Assert.DoesNotContain(Token, json, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, json, StringComparison.Ordinal);
        Assert.Contains("eu-west", json, StringComparison.Ordinal); // ordinary metadata is shown
        Assert.Contains("amqp://app:[redacted]@127.0.0.1:5672/", json, StringComparison.Ordinal);
        Assert.Contains("\"api_token\":\"[redacted]\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_service_in_the_terminal_masks_them_too()
    {
        using var http = new HttpClient();
        var reply = await http.PostAsJsonAsync($"http://{_dashboard.Address}/api/terminal", new { line = "get service billing" });
        var text = System.Text.Json.JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement.GetProperty("output").GetString()!;
        Assert.Contains("billing-1", text, StringComparison.Ordinal);
        Assert.Contains("DB-Password=[redacted],queue=amqp://app:[redacted]@127.0.0.1:5672/", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
    }
}

using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Micro.IntegrationTests;

/// <summary>examples/EdgeInApp: the gateway as a building block of one's own ASP.NET Core app, run as a real process.</summary>
public sealed class EdgeInAppTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _registry = Directory.CreateTempSubdirectory("micro-edge-").FullName;

    private Dictionary<string, string> Env() => new()
    {
        ["MICRO_REGISTRY"] = "local",
        ["MICRO_REGISTRY_ADDRESS"] = _registry,
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DASHBOARD_KEY"] = DashboardKey,
    };

    private const string DashboardKey = "edge-in-app-dashboard-key-3f2a";

    [Fact]
    public async Task The_app_serves_its_own_endpoints_the_gateway_and_the_dashboard_under_their_prefixes()
    {
        await using var greeter = new RunningProcess(Programs.GreeterService, [], Env());
        await using var edge = new RunningProcess(Programs.EdgeInApp, [], Env());
        await greeter.WaitForOutputAsync("registered in local", Patience);
        await edge.WaitForOutputAsync("edge-in-app listening on http://", Patience);
        var url = Regex.Match(edge.Output, @"edge-in-app listening on (http://[^\s]+)").Groups[1].Value;
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(url) };

        Assert.StartsWith("edge-in-app: its own endpoints", await http.GetStringAsync("/"));

        using var call = await http.PostAsync("/api/greeter/hello", Body("""{"name":"John"}"""));
        var reply = await call.Content.ReadAsStringAsync();
        Assert.True(call.StatusCode == HttpStatusCode.OK, reply);
        Assert.Contains("Hello John", reply);

        // Hostile or wrong input gets the gateway's clear errors, and nothing outside the prefix reaches the gateway.
        using var broken = await http.PostAsync("/api/greeter/hello", Body("""{"name":"""));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Contains("\"code\":400", await broken.Content.ReadAsStringAsync());
        using var rpc = await http.PostAsync("/api/rpc", Body("""{"service":"greeter","endpoint":"Greeter.Hello","request":{}}"""));
        Assert.Equal(HttpStatusCode.NotFound, rpc.StatusCode); // /rpc reaches any service: off unless enabled, in an app as in micro api
        using var outside = await http.PostAsync("/greeter/hello", Body("""{"name":"John"}"""));
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode); // the app's own 404: the gateway lives under /api only

        // The dashboard under /ops, behind the app's key.
        using var locked = await http.GetAsync("/ops/api/services");
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ops/api/services");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", DashboardKey);
        using var listed = await http.SendAsync(request);
        var services = await listed.Content.ReadAsStringAsync();
        Assert.True(listed.StatusCode == HttpStatusCode.OK, services);
        Assert.Contains("\"name\":\"greeter\"", services);
    }

    [Fact]
    public async Task Without_a_dashboard_key_the_app_says_what_to_set_and_exits_2()
    {
        var env = Env();
        env.Remove("DASHBOARD_KEY");
        var (code, output) = await RunningProcess.RunAsync(Programs.EdgeInApp, [], env, Patience);
        Assert.Equal(2, code);
        Assert.Contains("set DASHBOARD_KEY", output);
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    public void Dispose() => Directory.Delete(_registry, recursive: true);
}

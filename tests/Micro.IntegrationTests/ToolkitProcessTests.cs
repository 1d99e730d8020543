using System.Net;
using System.Net.Sockets;
using Micro.Registry;

namespace Micro.IntegrationTests;

/// <summary>`micro proxy` and `micro api` as processes, with the CLI and curl-like HTTP calls against them.</summary>
public sealed class ToolkitProcessTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _remote = Path.Combine(Path.GetTempPath(), "micro-toolkit", Guid.NewGuid().ToString("N"), "remote");
    private readonly string _local = Path.Combine(Path.GetTempPath(), "micro-toolkit", Guid.NewGuid().ToString("N"), "local");

    public void Dispose()
    {
        foreach (var folder in new[] { _remote, _local })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static Dictionary<string, string> Env(string folder) => new()
    {
        ["MICRO_REGISTRY"] = "local",
        ["MICRO_REGISTRY_ADDRESS"] = folder,
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
    };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Every_cli_command_works_through_the_proxy_against_an_environment_it_cannot_reach_directly()
    {
        var port = FreePort();
        await using var greeter = new RunningProcess(Programs.GreeterService, [], Env(_remote));
        await using var streamer = new RunningProcess(Programs.StreamingService, [], Env(_remote));
        await using var proxy = new RunningProcess(Programs.Cli, ["proxy", "--address", $"127.0.0.1:{port}", "--auth_token", "s3cret-proxy-token-7f2a"], Env(_remote));
        await greeter.WaitForOutputAsync("registered in local", Patience);
        await streamer.WaitForOutputAsync("registered in local", Patience);
        await proxy.WaitForOutputAsync("micro proxy listening", Patience);

        // This CLI's own registry is empty: everything it sees comes through the proxy.
        string[] via = ["--proxy_address", $"http://127.0.0.1:{port}", "--auth_token", "s3cret-proxy-token-7f2a"];
        var env = Env(_local);
        Task<(int ExitCode, string Output)> Cli(params string[] args) => RunningProcess.RunAsync(Programs.Cli, [.. args, .. via], env, Patience);

        var direct = await RunningProcess.RunAsync(Programs.Cli, ["list", "services"], env, Patience);
        Assert.DoesNotContain("greeter", direct.Output);

        // Refusals name what the proxy wants in one term: its token (not "API key", "KEY" and "TOKEN" at once).
        var none = await RunningProcess.RunAsync(Programs.Cli, ["list", "services", "--proxy_address", $"http://127.0.0.1:{port}"], env, Patience);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("no token: send Authorization: Bearer <token>, the proxy's --auth_token (the CLI: --auth_token or MICRO_AUTH_TOKEN)", none.Output);
        var wrong = await RunningProcess.RunAsync(Programs.Cli, ["list", "services", "--proxy_address", $"http://127.0.0.1:{port}", "--auth_token", "not-the-token-at-all"], env, Patience);
        Assert.Contains("the token is not valid", wrong.Output);
        Assert.DoesNotContain("API key", none.Output + wrong.Output);

        var list = await Cli("list", "services");
        Assert.True(list.ExitCode == 0, list.Output);
        Assert.Contains("greeter", list.Output);
        Assert.Contains("streamer", list.Output);

        var get = await Cli("get", "service", "greeter");
        Assert.True(get.ExitCode == 0, get.Output);
        Assert.Contains("Greeter.Hello", get.Output);

        var call = await Cli("call", "greeter", "Greeter.Hello", """{"name":"John"}""");
        Assert.True(call.ExitCode == 0, call.Output);
        Assert.Contains("Hello John", call.Output);

        var health = await Cli("health", "greeter");
        Assert.True(health.ExitCode == 0, health.Output);
        Assert.Contains("ok", health.Output);

        var stream = await Cli("stream", "streamer", "Streamer.Count", """{"to":3}""");
        Assert.True(stream.ExitCode == 0, stream.Output);
        Assert.Contains("""{"n":3}""", stream.Output);

        const string Service = """{"name":"remote.extra","nodes":[{"id":"extra-1","address":"127.0.0.1:9"}]}""";
        var register = await Cli("register", "service", Service);
        Assert.True(register.ExitCode == 0, register.Output);
        await using (var remoteRegistry = new LocalRegistry(_remote))
        {
            Assert.Single(await remoteRegistry.GetServiceAsync("remote.extra"));
            var deregister = await Cli("deregister", "service", Service);
            Assert.True(deregister.ExitCode == 0, deregister.Output);
            Assert.Empty(await remoteRegistry.GetServiceAsync("remote.extra"));
        }

        // A subscriber in the remote environment sees what is published through the proxy.
        await using var subscriber = new RunningProcess(Programs.Cli, ["subscribe", "proxy.events"], Env(_remote));
        await subscriber.WaitForOutputAsync("subscribed to proxy.events", Patience);
        var publish = await Cli("publish", "proxy.events", """{"hello":"through the proxy"}""");
        Assert.True(publish.ExitCode == 0, publish.Output);
        await subscriber.WaitForOutputAsync("through the proxy", Patience);

        var unknown = await Cli("call", "nosuch", "X.Y", "{}");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("nosuch", unknown.Output);

        var refused = await RunningProcess.RunAsync(Programs.Cli, ["list", "services", "--proxy_address", $"http://127.0.0.1:{port}"], env, Patience);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("Authorization", refused.Output);
    }

    [Fact]
    public async Task The_proxy_checks_api_keys_like_the_gateway_and_never_logs_them()
    {
        var port = FreePort();
        await using var greeter = new RunningProcess(Programs.GreeterService, [], Env(_remote));
        var proxyEnv = Env(_remote);
        proxyEnv["MICRO_PROXY_AUTH_KEYS"] = "ops=k-4821-proxy-api-key"; // from the environment: flags show in ps
        await using var proxy = new RunningProcess(Programs.Cli, ["proxy", "--address", $"127.0.0.1:{port}", "--auth", "api_key"], proxyEnv);
        await greeter.WaitForOutputAsync("registered in local", Patience);
        await proxy.WaitForOutputAsync("--auth required", Patience);

        var env = Env(_local);
        var ok = await RunningProcess.RunAsync(Programs.Cli, ["call", "greeter", "Greeter.Hello", """{"name":"Key"}""", "--proxy_address", $"http://127.0.0.1:{port}", "--auth_token", "k-4821-proxy-api-key"], env, Patience);
        Assert.True(ok.ExitCode == 0, ok.Output);
        Assert.Contains("Hello Key", ok.Output);

        var wrong = await RunningProcess.RunAsync(Programs.Cli, ["list", "services", "--proxy_address", $"http://127.0.0.1:{port}", "--auth_token", "k-0000-proxy-api-key"], env, Patience);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("the API key is not valid", wrong.Output);
        Assert.DoesNotContain("k-0000-proxy-api-key", wrong.Output);
        Assert.DoesNotContain("k-0000-proxy-api-key", proxy.Output); // refusals are logged without the credential
    }

    [Fact]
    public async Task Micro_api_serves_the_greeter_example_over_http()
    {
        var port = FreePort();
        await using var greeter = new RunningProcess(Programs.GreeterService, [], Env(_remote));
        await using var api = new RunningProcess(Programs.Cli, ["api", "--address", $"127.0.0.1:{port}", "--namespace", "", "--rate_limit", "1/h"], Env(_remote));
        await greeter.WaitForOutputAsync("registered in local", Patience);
        await api.WaitForOutputAsync("micro api listening", Patience);
        Assert.Contains("rate limit 1 per 3600 s per caller", api.Output, StringComparison.Ordinal);

        using var http = new HttpClient();
        var reply = await http.PostAsync($"http://127.0.0.1:{port}/greeter/hello", new StringContent("""{"name":"John"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal("""{"msg":"Hello John"}""", await reply.Content.ReadAsStringAsync());
        // --rate_limit 1/h: this caller's second request waits for the next hour.
        var limited = await http.PostAsync($"http://127.0.0.1:{port}/greeter/hello", new StringContent("""{"name":"again"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(0, await api.TerminateAsync(Patience));

        var bad = await RunningProcess.RunAsync(Programs.Cli, ["api", "--rate_limit", "lots"], Env(_remote), Patience);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--rate_limit 'lots' is not <requests>/<period>", bad.Output, StringComparison.Ordinal);
    }
}

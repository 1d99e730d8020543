using Micro.Registry;

namespace Micro.IntegrationTests;

/// <summary>Real processes finding and calling each other through the default (local) registry.</summary>
public sealed class MultiProcessTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "micro-it", Guid.NewGuid().ToString("N"));

    private Dictionary<string, string> Env => new()
    {
        ["MICRO_REGISTRY"] = "local",
        ["MICRO_REGISTRY_ADDRESS"] = _folder,
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
    };

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Two_greeter_processes_and_a_cli_call_through_the_local_registry()
    {
        await using var one = new RunningProcess(Programs.GreeterService, [], Env);
        await using var two = new RunningProcess(Programs.GreeterService, [], Env);
        await one.WaitForOutputAsync("registered in local", StartTimeout);
        await two.WaitForOutputAsync("registered in local", StartTimeout);

        // This test process sees both nodes the other processes registered.
        await using var registry = new LocalRegistry(_folder);
        Assert.Equal(2, Assert.Single(await registry.GetServiceAsync("greeter")).Nodes.Count);

        var list = await RunningProcess.RunAsync(Programs.Cli, ["list", "services"], Env, StartTimeout);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("greeter", list.Output);

        var get = await RunningProcess.RunAsync(Programs.Cli, ["get", "service", "greeter"], Env, StartTimeout);
        Assert.Equal(0, get.ExitCode);
        Assert.Contains("Endpoint: Greeter.Hello", get.Output);
        Assert.Equal(2, get.Output.Split('\n').Count(l => l.StartsWith("greeter-", StringComparison.Ordinal)));

        var call = await RunningProcess.RunAsync(Programs.Cli, ["call", "greeter", "Greeter.Hello", """{"name":"John"}"""], Env, StartTimeout);
        Assert.True(call.ExitCode == 0, call.Output);
        Assert.Contains("\"msg\": \"Hello John\"", call.Output);

        var health = await RunningProcess.RunAsync(Programs.Cli, ["health", "greeter"], Env, StartTimeout);
        Assert.True(health.ExitCode == 0, health.Output);
        Assert.Equal(2, health.Output.Split('\n').Count(l => l.TrimEnd().EndsWith("\tok", StringComparison.Ordinal)));

        // The example client spreads calls over both instances (random selection; 40 calls all landing on one node has odds 2^-39).
        var client = await RunningProcess.RunAsync(Programs.GreeterClient, ["--count", "40"], Env, StartTimeout);
        Assert.True(client.ExitCode == 0, client.Output);
        var answeredBy = client.Output.Split('\n').Where(l => l.Contains("(from ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf("(from ", StringComparison.Ordinal) + 6)..].TrimEnd(')', '\r')).Distinct().Count();
        Assert.Equal(2, answeredBy);

        // SIGTERM: the node deregisters on its way out; the other keeps answering.
        Assert.Equal(0, await one.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.Single(Assert.Single(await registry.GetServiceAsync("greeter")).Nodes);
        var after = await RunningProcess.RunAsync(Programs.Cli, ["call", "greeter", "Greeter.Hello", """{"name":"Jane"}"""], Env, StartTimeout);
        Assert.True(after.ExitCode == 0, after.Output);
        Assert.Contains("Hello Jane", after.Output);
    }

    [Fact]
    public async Task Flags_and_environment_configure_the_service()
    {
        var env = Env;
        env["MICRO_SERVER_NAME"] = "from-env";
        await using var byEnv = new RunningProcess(Programs.GreeterService, [], env);
        await using var byFlag = new RunningProcess(Programs.GreeterService, ["--server_name", "from-flag", "--register_ttl", "10", "--register_interval", "3s"], env);
        await byEnv.WaitForOutputAsync("registered in local", StartTimeout);
        await byFlag.WaitForOutputAsync("registered in local", StartTimeout);

        var list = await RunningProcess.RunAsync(Programs.Cli, ["list", "services"], Env, StartTimeout);
        Assert.Contains("from-env", list.Output);
        Assert.Contains("from-flag", list.Output); // the flag wins over the environment
        var call = await RunningProcess.RunAsync(Programs.Cli, ["call", "from-flag", "Greeter.Hello", """{"name":"F"}"""], Env, StartTimeout);
        Assert.Contains("Hello F", call.Output);
    }

    [Fact]
    public async Task A_killed_process_disappears_after_its_ttl()
    {
        await using var victim = new RunningProcess(Programs.GreeterService, ["--register_ttl", "3", "--register_interval", "1"], Env);
        await victim.WaitForOutputAsync("registered in local", StartTimeout);
        await using var registry = new LocalRegistry(_folder);
        Assert.Single(await registry.GetServiceAsync("greeter"));

        using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", victim.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        // No deregistration happened; the TTL removes it (3 s, with generous slack for a loaded machine).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await registry.GetServiceAsync("greeter")).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the killed node was still registered 30 s after its 3 s TTL");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Cli_errors_exit_non_zero_with_the_documented_error()
    {
        var missing = await RunningProcess.RunAsync(Programs.Cli, ["call", "nobody", "X.Y", "{}"], Env, StartTimeout);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("\"code\":404", missing.Output);
        Assert.Contains("service nobody: not found", missing.Output);

        var badFlag = await RunningProcess.RunAsync(Programs.Cli, ["list", "services", "--registry", "nope"], Env, StartTimeout);
        Assert.NotEqual(0, badFlag.ExitCode);
        Assert.Contains("unknown registry 'nope'", badFlag.Output);
    }
}

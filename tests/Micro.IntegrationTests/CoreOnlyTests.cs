using System.Text.Json;

namespace Micro.IntegrationTests;

/// <summary>
/// The core carries no ASP.NET Core (issue 17, item 1): the example client, built on Micro.Core alone, calls a greeter
/// and its runtime configuration does not even name the ASP.NET Core shared framework, so the process cannot load a
/// <c>Microsoft.AspNetCore.*</c> assembly.
/// </summary>
public sealed class CoreOnlyTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "micro-it", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_client_on_the_core_alone_calls_a_service_without_ASP_NET_Core()
    {
        var client = Programs.GreeterClient;
        var bin = Path.GetDirectoryName(client)!;

        // What the runtime may load: only Microsoft.NETCore.App, and no assembly of ASP.NET Core or the http plugin.
        using var runtimeConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(bin, "greeter-client.runtimeconfig.json")));
        var options = runtimeConfig.RootElement.GetProperty("runtimeOptions");
        var frameworks = options.TryGetProperty("frameworks", out var many)
            ? many.EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList()
            : [options.GetProperty("framework").GetProperty("name").GetString()];
        Assert.Equal(["Microsoft.NETCore.App"], frameworks);
        var deps = File.ReadAllText(Path.Combine(bin, "greeter-client.deps.json"));
        Assert.DoesNotContain("Microsoft.AspNetCore", deps, StringComparison.Ordinal);
        Assert.DoesNotContain("Micro.Http", deps, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(bin, "Micro.Http.dll")), "Micro.Http.dll is in the client's output");

        var env = new Dictionary<string, string> { ["MICRO_REGISTRY_ADDRESS"] = _folder, ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
        await using var greeter = new RunningProcess(Programs.GreeterService, [], env);
        await greeter.WaitForOutputAsync("registered in local", Patience);

        // The default broker (http) is not installed in this app: it starts and calls all the same, since it publishes nothing.
        var call = await RunningProcess.RunAsync(client, ["--count", "2", "--name", "Core"], env, Patience);
        Assert.True(call.ExitCode == 0, call.Output);
        Assert.Equal(2, call.Output.Split('\n').Count(l => l.Contains("\"msg\":\"Hello Core\"", StringComparison.Ordinal)));
    }
}

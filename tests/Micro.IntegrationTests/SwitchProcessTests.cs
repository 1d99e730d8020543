namespace Micro.IntegrationTests;

/// <summary>Boolean flags as processes take them: bare (as the README writes them) or with true/false; anything else refused.</summary>
public sealed class SwitchProcessTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "micro-switch", Guid.NewGuid().ToString("N"));

    private Dictionary<string, string> Env => new() { ["MICRO_REGISTRY"] = "local", ["MICRO_REGISTRY_ADDRESS"] = _folder, ["NO_COLOR"] = "1" };

    [Fact]
    public async Task A_bare_transport_tls_dev_turns_tls_on_for_the_service_and_the_cli()
    {
        await using var greeter = new RunningProcess(Programs.GreeterService, ["--transport_tls_dev"], Env);
        await greeter.WaitForOutputAsync("registered in local", Patience);
        Assert.Contains("TRANSPORT TLS IN DEVELOPMENT MODE", greeter.Output, StringComparison.Ordinal); // not silently plain tcp

        var call = await RunningProcess.RunAsync(Programs.Cli, ["call", "greeter", "Greeter.Hello", "{\"name\":\"Tls\"}", "--transport_tls_dev"], Env, Patience);
        Assert.True(call.ExitCode == 0, call.Output);
        Assert.Contains("Hello Tls", call.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_switch_with_a_value_that_is_not_a_boolean_stops_the_service_saying_why()
    {
        var run = await RunningProcess.RunAsync(Programs.GreeterService, ["--transport_tls_dev", "maybe"], Env, Patience);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("transport_tls_dev: 'maybe' is not true or false", run.Output, StringComparison.Ordinal);
    }

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}

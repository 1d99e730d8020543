namespace Micro.IntegrationTests;

/// <summary>Boolean flags as processes take them: bare (as the README writes them) or with true/false; values a service cannot use stop it in one line.</summary>
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

    [Theory]
    [InlineData("--transport_tls_dev maybe", "greeter: transport_tls_dev: 'maybe' is not true or false")]
    [InlineData("--register_ttl soon", "greeter: register_ttl: 'soon' is not a duration")]
    [InlineData("--registry bogus", "greeter: registry: unknown registry 'bogus'; available: ")]
    [InlineData("--selector fastest", "greeter: selector: unknown strategy 'fastest'")]
    public async Task A_service_given_a_value_it_cannot_use_says_so_in_one_line_and_exits_2(string flags, string message)
    {
        var run = await RunningProcess.RunAsync(Programs.GreeterService, flags.Split(' '), Env, Patience);
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); // no host failure, no stack trace
        Assert.StartsWith(message, line, StringComparison.Ordinal);
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

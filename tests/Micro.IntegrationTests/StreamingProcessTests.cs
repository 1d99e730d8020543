namespace Micro.IntegrationTests;

/// <summary>The Streaming example and `micro stream`, as real processes.</summary>
public sealed class StreamingProcessTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "micro-it", Guid.NewGuid().ToString("N"));

    private Dictionary<string, string> Env => new() { ["MICRO_REGISTRY_ADDRESS"] = _folder };

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Micro_stream_prints_a_server_stream_and_streams_stdin_through_echo()
    {
        await using var service = new RunningProcess(Programs.StreamingService, [], Env);
        await service.WaitForOutputAsync("registered in local", Patience);

        var count = await RunningProcess.RunAsync(Programs.Cli, ["stream", "streamer", "Streamer.Count", """{"to":5}"""], Env, Patience);
        Assert.True(count.ExitCode == 0, count.Output);
        Assert.Equal(["{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}", "{\"n\":5}"], count.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        var echo = await RunningProcess.RunAsync(Programs.Cli, ["stream", "streamer", "Streamer.Echo"], Env, Patience, input: "{\"text\":\"a\"}\n{\"text\":\"b\"}\n");
        Assert.True(echo.ExitCode == 0, echo.Output);
        Assert.Equal(["{\"text\":\"a\"}", "{\"text\":\"b\"}"], echo.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        var get = await RunningProcess.RunAsync(Programs.Cli, ["get", "service", "streamer"], Env, Patience);
        Assert.Contains("Endpoint: Streamer.Count\nMetadata: stream=true", get.Output);
    }
}

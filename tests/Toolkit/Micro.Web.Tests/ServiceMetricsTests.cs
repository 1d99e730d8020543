using Micro.Client;
using Micro.Hosting;
using Micro.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Micro.Web.Tests;

/// <summary>The dashboard's chart points: rates and latency from the change in the nodes' Debug.Stats between samples.</summary>
public sealed class ServiceMetricsTests : IAsyncLifetime
{
    private readonly string _registry = Path.Combine(Path.GetTempPath(), "micro-web-metrics", Guid.NewGuid().ToString("N"));
    private readonly string _service = "charted-" + Guid.NewGuid().ToString("N")[..8];
    private MicroEnvironment _environment = null!;
    private TestKit _kit = null!;

    public async Task InitializeAsync()
    {
        _environment = MicroEnvironment.Create(MicroSettings.Default with { Registry = "local", RegistryAddress = _registry });
        _kit = new TestKit(_environment.Registry);
        await _kit.StartServerAsync(_service, new Greeter());
        await _kit.StartServerAsync(_service, new Greeter()); // two nodes: the points sum them
    }

    public async Task DisposeAsync()
    {
        await _kit.DisposeAsync();
        await _environment.DisposeAsync();
        Directory.Delete(_registry, recursive: true);
    }

    [Fact]
    public async Task A_point_gives_the_requests_and_errors_per_second_and_latency_since_the_last_sample()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000));
        var metrics = new ServiceMetrics(_environment.Registry, _environment.Client, time);
        var baseline = await metrics.SampleAsync(_service, CancellationToken.None);
        Assert.Equal(2, baseline.Nodes);
        Assert.Empty(baseline.Points); // the first sample is the baseline

        var client = _kit.CreateClient(ClientOptions.Default with { Retries = 0 });
        for (var i = 0; i < 8; i++)
        {
            await client.CallAsync<HelloRequest, HelloResponse>(_service, "Greeter.Hello", new HelloRequest("x"));
        }

        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync(new MicroRequest(_service, "Greeter.Hello", Json.Bytes("[1"))));
        }

        time.Advance(TimeSpan.FromSeconds(2));
        var reply = await metrics.SampleAsync(_service, CancellationToken.None);
        var point = Assert.Single(reply.Points);
        Assert.Equal(5.0, point.Requests, precision: 6); // 10 requests in 2 s, over both nodes
        Assert.Equal(1.0, point.Errors, precision: 6);
        Assert.NotNull(point.P50Ms);
        Assert.NotNull(point.P99Ms);
        Assert.True(point.P99Ms >= point.P50Ms);
        Assert.Empty(reply.Problems);

        // Within a second of the last sample nothing is read again; after it, a quiet interval is a zero point.
        Assert.Single((await metrics.SampleAsync(_service, CancellationToken.None)).Points);
        time.Advance(TimeSpan.FromSeconds(2));
        var quiet = (await metrics.SampleAsync(_service, CancellationToken.None)).Points[^1];
        Assert.Equal(0.0, quiet.Requests);
        Assert.Null(quiet.P50Ms);
    }
}

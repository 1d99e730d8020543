using Micro.Client;
using Micro.Diagnostics;
using Micro.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Micro.Tests;

/// <summary>Debug.Stats reports each endpoint's totals, taken from the server's metrics.</summary>
public sealed class EndpointStatsTests
{
    [Fact]
    public async Task Debug_stats_gives_requests_errors_and_latency_buckets_per_endpoint_of_this_service_only()
    {
        await using var kit = new TestKit();
        var name = "stats-" + Guid.NewGuid().ToString("N")[..8]; // the totals are process-wide: a name no other test uses
        var server = await kit.StartServerAsync(name, new Greeter());
        var other = await kit.StartServerAsync(name + "-other", new Greeter());
        var client = kit.CreateClient(ClientOptions.Default with { Retries = 0 });
        for (var i = 0; i < 5; i++)
        {
            await client.CallAsync<HelloRequest, HelloResponse>(name, "Greeter.Hello", new HelloRequest("x"));
        }

        for (var i = 0; i < 2; i++)
        {
            var bad = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync(new MicroRequest(name, "Greeter.Hello", Json.Bytes("{\"name\":"))));
            Assert.Equal(400, bad.Code);
        }

        await client.CallAsync<HelloRequest, HelloResponse>(name + "-other", "Greeter.Hello", new HelloRequest("y"));

        var stats = await client.CallAsync<StatsRequest, StatsResponse>(name, "Debug.Stats", new StatsRequest(), new CallOptions { Address = server.Address });
        var hello = Assert.Single(stats.Endpoints!, e => e.Endpoint == "Greeter.Hello");
        Assert.Equal(7UL, hello.Requests);
        Assert.Equal(2UL, hello.Errors);
        Assert.Equal(MicroTelemetry.DurationBuckets.Count + 1, hello.Buckets.Count);
        Assert.Equal(7UL, hello.Buckets.Aggregate(0UL, (a, b) => a + b));

        var otherStats = await client.CallAsync<StatsRequest, StatsResponse>(name + "-other", "Debug.Stats", new StatsRequest(), new CallOptions { Address = other.Address });
        Assert.Equal(1UL, Assert.Single(otherStats.Endpoints!, e => e.Endpoint == "Greeter.Hello").Requests);
    }

    /// <summary>A handler that takes 300 ms on the server's (fake) clock.</summary>
    public sealed class SlowGreeter(FakeTimeProvider time)
    {
        public Task<HelloResponse> Hello(HelloRequest request, CancellationToken cancellationToken)
        {
            time.Advance(TimeSpan.FromMilliseconds(300));
            return Task.FromResult(new HelloResponse("Hello " + request.Name));
        }
    }

    [Fact]
    public async Task Debug_stats_gives_the_time_spent_and_the_bucket_of_each_call_as_the_servers_clock_measured_them()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var kit = new TestKit();
        var name = "timed-" + Guid.NewGuid().ToString("N")[..8];
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddSingleton(new SlowGreeter(time)).BuildServiceProvider();
        await using var server = new MicroServer(ServerOptions.Default with { Name = name }, kit.Registry, kit.Transport, HandlerEndpoints.From(typeof(SlowGreeter)), services, timeProvider: time);
        await server.StartAsync();
        var client = kit.CreateClient(ClientOptions.Default with { Retries = 0 });
        for (var i = 0; i < 5; i++)
        {
            await client.CallAsync<HelloRequest, HelloResponse>(name, "SlowGreeter.Hello", new HelloRequest("x"));
        }

        await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync(new MicroRequest(name, "SlowGreeter.Hello", Json.Bytes("{\"name\":")))); // refused before the handler: no time passes

        var stats = await client.CallAsync<StatsRequest, StatsResponse>(name, "Debug.Stats", new StatsRequest(), new CallOptions { Address = server.Address });
        var hello = Assert.Single(stats.Endpoints!, e => e.Endpoint == "SlowGreeter.Hello");
        Assert.Equal(1.5, hello.DurationSeconds, precision: 6); // five calls of 300 ms
        var bucket = MicroTelemetry.DurationBuckets.ToList().FindIndex(b => 0.3 <= b); // (0.25 s, 0.5 s]
        Assert.Equal(5UL, hello.Buckets[bucket]);
        Assert.Equal(1UL, hello.Buckets[0]);
        Assert.Equal(6UL, hello.Buckets.Aggregate(0UL, (a, b) => a + b));
    }
}

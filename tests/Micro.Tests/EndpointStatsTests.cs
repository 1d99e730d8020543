using Micro.Client;
using Micro.Diagnostics;
using Micro.Server;
using Micro.Testing;

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
        Assert.True(hello.DurationSeconds >= 0);

        var otherStats = await client.CallAsync<StatsRequest, StatsResponse>(name + "-other", "Debug.Stats", new StatsRequest(), new CallOptions { Address = other.Address });
        Assert.Equal(1UL, Assert.Single(otherStats.Endpoints!, e => e.Endpoint == "Greeter.Hello").Requests);
    }
}

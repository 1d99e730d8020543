using Micro.Broker;
using Micro.Client;
using Micro.Hosting;
using Micro.Registry;
using Micro.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Micro.Tests;

public sealed class HealthTests
{
    private static async Task<HealthResponse> HealthOf(MicroClient client, MicroServer server)
        => await client.CallAsync<HealthRequest, HealthResponse>(server.Name, "Debug.Health", new HealthRequest(), new CallOptions { Address = server.Address, Retries = 0 });

    private static async Task<HealthResponse> WaitForHealth(MicroClient client, MicroServer server, Func<HealthResponse, bool> condition)
    {
        var health = await HealthOf(client, server);
        for (var i = 0; i < 500 && !condition(health); i++)
        {
            await Task.Delay(10);
            health = await HealthOf(client, server);
        }

        Assert.True(condition(health), $"health never reached the expected state; last: {health.Status}");
        return health;
    }

    [Fact]
    public async Task Health_follows_registration_failing_and_recovering()
    {
        var registry = new FlakyRegistry(new MemoryRegistry());
        await using var kit = new TestKit(registry);
        var server = await kit.StartServerAsync("health-registry", new Greeter(), ServerOptions.Default with { RegisterInterval = TimeSpan.FromMilliseconds(50) });
        var client = kit.CreateClient();
        Assert.Equal("ok", (await HealthOf(client, server)).Status);

        registry.Failing = true;
        var down = await WaitForHealth(client, server, h => h.Status != "ok");
        Assert.StartsWith("not ready: registry: re-registration failing: registry unreachable", down.Status);
        Assert.Equal("ok", down.Checks!["server"]);

        registry.Failing = false;
        var up = await WaitForHealth(client, server, h => h.Status == "ok");
        Assert.All(up.Checks!.Values, v => Assert.Equal("ok", v));
    }

    [Fact]
    public async Task A_subscriber_whose_broker_is_disconnected_is_not_ready()
    {
        await using var kit = new TestKit();
        var broker = new SwitchableBroker();
        var services = new ServiceCollection().AddSingleton(new Audit()).BuildServiceProvider();
        await using var server = new MicroServer(ServerOptions.Default with { Name = "health-broker" }, kit.Registry, kit.Transport, [], services,
            broker: broker, subscribers: SubscriberEndpoints.From(typeof(Audit)));
        await server.StartAsync();
        var client = kit.CreateClient();
        Assert.Equal("ok", (await HealthOf(client, server)).Status);

        broker.Connected = false;
        var health = await HealthOf(client, server);
        Assert.Equal("not ready: broker: memory broker at memory is not connected", health.Status);
        Assert.False(server.Health.IsReady);
    }

    [Fact]
    public async Task The_aspnet_core_health_check_reports_the_servers_readiness()
    {
        var builder = MicroService.CreateBuilder(["--registry", "memory", "--server_name", "health-aspnet"]);
        builder.AddHandler<Greeter>();
        builder.Services.AddHealthChecks().AddMicro();
        await using var app = builder.Build();
        var checks = app.Services.GetRequiredService<HealthCheckService>();

        var before = await checks.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, before.Status); // not started, so not registered
        Assert.Contains("registry: not registered yet", before.Entries["micro"].Description);

        await app.StartAsync();
        var running = await checks.CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, running.Status);
        Assert.Equal("ok", running.Entries["micro"].Data["registry"]);

        await app.StopAsync();
        var stopped = await checks.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, stopped.Status);
        Assert.Contains("server: stopping", stopped.Entries["micro"].Description);
    }

    private sealed class FlakyRegistry(IRegistry inner) : DelegatingRegistry(inner)
    {
        public volatile bool Failing;

        public override ValueTask RegisterAsync(Service service, TimeSpan ttl, CancellationToken cancellationToken = default)
            => Failing ? throw new IOException("registry unreachable") : Inner.RegisterAsync(service, ttl, cancellationToken);
    }

    /// <summary>A memory broker whose connection state the test sets.</summary>
    private sealed class SwitchableBroker : IBroker
    {
        private readonly MemoryBroker _inner = new();

        public volatile bool Connected = true;

        public string Name => _inner.Name;

        public string Address => _inner.Address;

        public bool IsConnected => Connected;

        public ValueTask ConnectAsync(CancellationToken cancellationToken = default) => _inner.ConnectAsync(cancellationToken);

        public ValueTask DisconnectAsync(CancellationToken cancellationToken = default) => _inner.DisconnectAsync(cancellationToken);

        public ValueTask PublishAsync(string topic, BrokerMessage message, CancellationToken cancellationToken = default) => _inner.PublishAsync(topic, message, cancellationToken);

        public ValueTask<ISubscription> SubscribeAsync(string topic, BrokerHandler handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
            => _inner.SubscribeAsync(topic, handler, options, cancellationToken);

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }
}

using Micro.Broker;
using Micro.Registry;

namespace Micro.Tests.Broker;

public sealed class MemoryBrokerTests : BrokerContractTests, IAsyncLifetime
{
    private readonly MemoryBroker _shared = new();

    protected override Task<IBroker> ConnectAsync() => Task.FromResult<IBroker>(new SharedConnection(_shared));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _shared.DisposeAsync().AsTask();

    /// <summary>Another "connection" to the one in-process broker; disposing it leaves the broker running.</summary>
    private sealed class SharedConnection(MemoryBroker broker) : IBroker
    {
        public string Name => broker.Name;

        public string Address => broker.Address;

        public ValueTask ConnectAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisconnectAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask PublishAsync(string topic, BrokerMessage message, CancellationToken cancellationToken = default) => broker.PublishAsync(topic, message, cancellationToken);

        public ValueTask<ISubscription> SubscribeAsync(string topic, BrokerHandler handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
            => broker.SubscribeAsync(topic, handler, options, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

public sealed class HttpBrokerTests : BrokerContractTests, IAsyncLifetime
{
    private readonly MemoryRegistry _registry = new(pollInterval: TimeSpan.FromMilliseconds(50));

    /// <summary>The http broker keeps nothing: a failed message is not delivered again.</summary>
    protected override bool Redelivers => false;

    protected override async Task<IBroker> ConnectAsync()
    {
        var broker = new HttpBroker(_registry);
        await broker.ConnectAsync();
        return broker;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _registry.DisposeAsync().AsTask();

    [Fact]
    public async Task Subscribers_register_as_go_micro_http_broker_nodes()
    {
        await using var broker = await ConnectAsync();
        await using var broadcast = await broker.SubscribeAsync("t1", (_, _) => ValueTask.CompletedTask);
        await using var queued = await broker.SubscribeAsync("t1", (_, _) => ValueTask.CompletedTask, SubscribeOptions.Default with { Queue = "q1" });
        var versions = await _registry.GetServiceAsync(HttpBroker.ServiceName);
        Assert.Equal(["ff.http.broadcast", "q1"], versions.Select(v => v.Version).Order());
        Assert.All(versions.SelectMany(v => v.Nodes), n => Assert.Equal(("t1", "http"), (n.Metadata!["topic"], n.Metadata["broker"])));
    }

    [Fact]
    public async Task A_subscriber_that_is_down_does_not_block_the_publisher()
    {
        var topic = Topic();
        // A subscriber that registered and died: its address refuses connections.
        await _registry.RegisterAsync(new Service
        {
            Name = HttpBroker.ServiceName,
            Version = HttpBroker.Broadcast,
            Nodes = [new Node { Id = "dead", Address = "127.0.0.1:1", Metadata = new Dictionary<string, string> { ["topic"] = topic } }],
        }, TimeSpan.FromMinutes(1));
        await using var broker = await ConnectAsync();
        var got = 0;
        await using var sub = await broker.SubscribeAsync(topic, (_, _) =>
        {
            Interlocked.Increment(ref got);
            return ValueTask.CompletedTask;
        });
        await using var publisher = await ConnectAsync();
        var publishes = Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await publisher.PublishAsync(topic, Message(i));
            }
        });
        await publishes.WaitAsync(Patience); // returns without waiting on the dead node
        await Eventually(() => Volatile.Read(ref got) == 50, "the live subscriber to get all 50");
    }
}

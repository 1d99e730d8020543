using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using Micro.Broker;
using Micro.Hosting;
using Micro.Transport;

namespace Micro.Nats.Tests;

[Collection(NatsCollection.Name)]
public sealed class NatsBrokerTests(NatsFixture nats) : BrokerContractTests
{
    /// <summary>Core NATS delivers at most once; redelivery is what the durable (JetStream) tests cover.</summary>
    protected override bool Redelivers => false;

    protected override async Task<IBroker> ConnectAsync()
    {
        var broker = new NatsBroker(nats.Server.Url);
        await broker.ConnectAsync();
        return broker;
    }
}

[Collection(NatsCollection.Name)]
public sealed class NatsCallTests(NatsFixture nats) : CallContractTests
{
    protected override ITransport CreateTransport() => new NatsTransport(nats.Server.Url);

    protected override string DeadAddress => "micro.rpc.nobody-listens-here";
}

[Collection(NatsCollection.Name)]
public sealed class NatsJetStreamTests(NatsFixture nats)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static BrokerMessage Message(int n) => new(null, BitConverter.GetBytes(n));

    [Fact]
    public async Task A_durable_subscriber_stopped_while_1000_messages_are_published_receives_all_after_it_restarts()
    {
        var topic = "durable." + Guid.NewGuid().ToString("N")[..8];
        var options = SubscribeOptions.Default with { Durable = true, Queue = "keeper" };
        var got = new ConcurrentDictionary<int, int>();
        BrokerHandler handler = (e, _) =>
        {
            got.AddOrUpdate(BitConverter.ToInt32(e.Message.Body.Span), 1, (_, c) => c + 1);
            return ValueTask.CompletedTask;
        };

        await using (var first = new NatsBroker(nats.Server.Url))
        {
            var sub = await first.SubscribeAsync(topic, handler, options); // creates the stream and the durable consumer
            await sub.UnsubscribeAsync(); // the subscriber goes away
        }

        await using (var publisher = new NatsBroker(nats.Server.Url))
        {
            for (var i = 0; i < 1000; i++)
            {
                await publisher.PublishAsync(topic, Message(i));
            }
        }

        await using var second = new NatsBroker(nats.Server.Url);
        await using var again = await second.SubscribeAsync(topic, handler, options);
        var deadline = DateTime.UtcNow + Patience;
        while (got.Count < 1000)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {got.Count} of 1000 arrived after the restart");
            await Task.Delay(50);
        }

        Assert.Equal(Enumerable.Range(0, 1000), got.Keys.Order());
    }

    [Fact]
    public async Task A_failed_durable_message_is_delivered_again()
    {
        var topic = "redeliver." + Guid.NewGuid().ToString("N")[..8];
        await using var broker = new NatsBroker(nats.Server.Url);
        var attempts = 0;
        await using var sub = await broker.SubscribeAsync(topic, (_, _) =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                throw new InvalidOperationException("first try fails");
            }

            return ValueTask.CompletedTask;
        }, SubscribeOptions.Default with { Durable = true, Queue = "retrier" });
        await broker.PublishAsync(topic, Message(1));
        var deadline = DateTime.UtcNow + Patience;
        while (Volatile.Read(ref attempts) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the failed message was not delivered again");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_durable_message_that_keeps_failing_is_delivered_max_deliver_times_then_dead_lettered_and_an_undecodable_one_at_once()
    {
        var topic = "deadletter." + Guid.NewGuid().ToString("N")[..8];
        await using var broker = new NatsBroker(nats.Server.Url);
        var dead = new System.Collections.Concurrent.ConcurrentQueue<BrokerEvent>();
        await using var deadSub = await broker.SubscribeAsync(topic + ".dead", (e, _) =>
        {
            dead.Enqueue(e);
            return ValueTask.CompletedTask;
        });
        var attempts = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        await using var sub = await broker.SubscribeAsync(topic, (e, _) =>
        {
            var n = e.Decode<Numbered>().N;
            attempts.AddOrUpdate(n, 1, (_, a) => a + 1);
            return n == 1 ? throw new InvalidOperationException("always fails") : ValueTask.CompletedTask;
        }, SubscribeOptions.Default with { Durable = true, Queue = "dead-" + Guid.NewGuid().ToString("N")[..6], MaxDeliver = 3, RetryBackoff = TimeSpan.FromMilliseconds(50) });
        var json = new Dictionary<string, string> { ["Content-Type"] = "application/json" };
        await broker.PublishAsync(topic, new BrokerMessage(json, "{\"n\":1}"u8.ToArray()));
        await broker.PublishAsync(topic, new BrokerMessage(json, "{broken"u8.ToArray()));
        await broker.PublishAsync(topic, new BrokerMessage(json, "{\"n\":2}"u8.ToArray()));
        var deadline = DateTime.UtcNow + Patience;
        while (dead.Count < 2 || !attempts.ContainsKey(2))
        {
            Assert.True(DateTime.UtcNow < deadline, $"dead letters: {dead.Count}, attempts: {string.Join(",", attempts)}");
            await Task.Delay(50);
        }

        await Task.Delay(500); // and nothing comes again (JetStream's MaxDeliver bounds it on the server too)
        Assert.Equal(3, attempts[1]); // NumDelivered counted by JetStream; NAK with a delay between
        Assert.Equal(1, attempts[2]);
        Assert.Equal(2, dead.Count);
        Assert.Contains(dead, d => d.Message.Headers[Deliveries.DeadReasonHeader].StartsWith("undecodable", StringComparison.Ordinal));
        Assert.Contains(dead, d => d.Message.Headers[Deliveries.DeadDeliveriesHeader] == "3");
    }

    public sealed record Numbered(int N);

    [Fact]
    public async Task A_publish_repeated_with_the_same_id_completes_and_is_stored_once()
    {
        // What a retry after a lost acknowledgement (a server restart) looks like to JetStream.
        var topic = "dedupe." + Guid.NewGuid().ToString("N")[..8];
        await using var broker = new NatsBroker(nats.Server.Url);
        var got = new ConcurrentBag<int>();
        await using var sub = await broker.SubscribeAsync(topic, (e, _) =>
        {
            got.Add(BitConverter.ToInt32(e.Message.Body.Span));
            return ValueTask.CompletedTask;
        }, SubscribeOptions.Default with { Durable = true, Queue = "deduper" });
        var header = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [MicroHeaders.Id] = Guid.NewGuid().ToString() };
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await broker.PublishAsync(topic, new BrokerMessage(header, BitConverter.GetBytes(7)), limit.Token);
        await broker.PublishAsync(topic, new BrokerMessage(header, BitConverter.GetBytes(7)), limit.Token); // returns: a duplicate is stored already
        await broker.PublishAsync(topic, Message(8), limit.Token);
        var deadline = DateTime.UtcNow + Patience;
        while (!got.Contains(8))
        {
            Assert.True(DateTime.UtcNow < deadline, "the message after the duplicate did not arrive");
            await Task.Delay(50);
        }

        Assert.Equal(1, got.Count(n => n == 7));
    }

    [Fact]
    public async Task A_durable_subscription_without_a_queue_name_is_refused_clearly()
    {
        await using var broker = new NatsBroker(nats.Server.Url);
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await broker.SubscribeAsync("x", (_, _) => ValueTask.CompletedTask, SubscribeOptions.Default with { Durable = true }));
        Assert.Contains("needs a Queue", e.Message);
    }
}

/// <summary>A server restart: own server instance, since it is stopped and started.</summary>
public sealed class NatsReconnectTests
{
    [Fact]
    public async Task Publishing_resumes_after_the_server_comes_back_without_restarting_the_client()
    {
        await using var server = new NatsServer();
        await server.StartAsync();
        await using var subscriber = new NatsBroker(server.Url);
        await using var publisher = new NatsBroker(server.Url);
        var got = new ConcurrentBag<int>();
        await using var sub = await subscriber.SubscribeAsync("reconnect", (e, _) =>
        {
            got.Add(BitConverter.ToInt32(e.Message.Body.Span));
            return ValueTask.CompletedTask;
        });
        await publisher.PublishAsync("reconnect", new BrokerMessage(null, BitConverter.GetBytes(1)));
        await WaitFor(() => got.Contains(1));

        await server.RestartAsync(); // same port; both clients reconnect on their own

        var deadline = DateTime.UtcNow.AddSeconds(60);
        var n = 100;
        while (!got.Contains(n - 1) || n == 100)
        {
            Assert.True(DateTime.UtcNow < deadline, "publishing did not resume after the restart");
            try
            {
                await publisher.PublishAsync("reconnect", new BrokerMessage(null, BitConverter.GetBytes(n++)));
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                // still reconnecting
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task The_plugin_is_selected_by_configuration_alone()
    {
        await using var server = new NatsServer();
        await server.StartAsync();
        var plugins = new MicroPlugins();
        var settings = MicroSettings.Default with { Broker = "nats", BrokerAddress = $"127.0.0.1:{server.Port}", Transport = "nats", TransportAddress = $"127.0.0.1:{server.Port}" };
        await using var broker = plugins.CreateBroker(settings, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, new Micro.Registry.MemoryRegistry());
        await using var transport = plugins.CreateTransport(settings, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        Assert.IsType<NatsBroker>(broker);
        Assert.IsType<NatsTransport>(transport);
    }

    [Fact]
    public async Task Its_section_and_AddNats_reach_the_connection_and_the_broker_still_delivers()
    {
        await using var server = new NatsServer();
        await server.StartAsync();
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Micro:Broker:Name"] = "nats",
            ["Micro:Broker:Address"] = $"127.0.0.1:{server.Port}",
            ["Micro:Broker:Nats:ConnectionName"] = "billing",
        }).Build();
        var seen = new ConcurrentBag<NATS.Client.Core.NatsOpts>();
        await using var environment = MicroEnvironment.Create(MicroSettings.FromConfiguration(configuration),
            micro => micro.AddNats(o => o with { ConfigureConnection = opts => { seen.Add(opts); return opts with { PingInterval = TimeSpan.FromSeconds(7) }; } }));
        var broker = Assert.IsType<NatsBroker>(environment.Broker);
        var opts = Assert.Single(seen);
        Assert.Equal(("billing", $"nats://127.0.0.1:{server.Port}"), (opts.Name, opts.Url));

        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await broker.SubscribeAsync("options.topic", (message, _) =>
        {
            received.TrySetResult(System.Text.Encoding.UTF8.GetString(message.Message.Body.Span));
            return ValueTask.CompletedTask;
        });
        await broker.PublishAsync("options.topic", new BrokerMessage(null, "hello"u8.ToArray()));
        Assert.Equal("hello", await received.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }
}

[Collection(NatsCollection.Name)]
public sealed class NatsStreamTests(NatsFixture nats) : StreamContractTests
{
    protected override ITransport CreateTransport() => new NatsTransport(nats.Server.Url);

    protected override int Window => NatsTransport.StreamWindow;
}

/// <summary>A client whose own transport is tcp reaching NATS nodes: it dials the server --transport_address names.</summary>
[Collection(NatsCollection.Name)]
public sealed class NatsNodeFromAnotherTransportTests(NatsFixture nats)
{
    [Fact]
    public async Task A_tcp_client_calls_a_nats_node_through_the_server_transport_address_names_not_the_default()
    {
        Assert.NotEqual(Micro.Nats.NatsUrl.Default, nats.Server.Url); // else this test could not tell the two apart
        await using var kit = new TestKit(transport: new NatsTransport(nats.Server.Url));
        await kit.StartServerAsync("greeter", new Greeter());

        var settings = Micro.Hosting.MicroSettings.Default with { TransportAddress = nats.Server.Url };
        var plugins = new Micro.Hosting.MicroPlugins();
        new NatsPlugin().Register(plugins);
        await using var tcp = new Micro.Transport.Tcp.TcpTransport();
        await using var catalog = new Micro.Hosting.TransportCatalog(tcp, plugins, settings, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await using var selector = new Micro.Selector.RegistrySelector(kit.Registry);
        var client = new Micro.Client.MicroClient(selector, tcp, options: new Micro.Client.ClientOptions { Retries = 0 }, transportFor: catalog.Get);

        var reply = await client.CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest("Nats"));
        Assert.Equal("Hello Nats", reply.Msg);
        Assert.Equal(nats.Server.Url, Assert.IsType<NatsTransport>(catalog.Get("nats")).Url);
    }

    [Fact]
    public async Task A_nats_node_on_another_server_is_reached_through_the_server_it_advertises()
    {
        await using var other = new NatsServer();
        await other.StartAsync();
        await using var kit = new TestKit(transport: new NatsTransport(other.Url));
        await kit.StartServerAsync("greeter", new Greeter());
        var node = Assert.Single(Assert.Single(await kit.Registry.GetServiceAsync("greeter")).Nodes);
        Assert.Equal(other.Url, node.Metadata!["transport_address"]);

        // One client on tcp with no NATS address at all, one on NATS but on the fixture's server: both reach it.
        var plugins = new Micro.Hosting.MicroPlugins();
        new NatsPlugin().Register(plugins);
        await using var tcp = new Micro.Transport.Tcp.TcpTransport();
        await using var onFixture = new NatsTransport(nats.Server.Url);
        foreach (ITransport own in new ITransport[] { tcp, onFixture })
        {
            await using var catalog = new Micro.Hosting.TransportCatalog(own, plugins, Micro.Hosting.MicroSettings.Default, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
            await using var selector = new Micro.Selector.RegistrySelector(kit.Registry);
            var client = new Micro.Client.MicroClient(selector, own, options: new Micro.Client.ClientOptions { Retries = 0 }, transportFor: catalog.Get);
            var reply = await client.CallAsync<HelloRequest, HelloResponse>("greeter", "Greeter.Hello", new HelloRequest(own.Name));
            Assert.Equal("Hello " + own.Name, reply.Msg);
        }
    }

    [Theory]
    [InlineData("nats://169.254.169.254:4222")] // the cloud metadata address
    [InlineData("nats://[fe80::1]:4222")]
    [InlineData("nats://user:secret@127.0.0.1:4222")] // credentials are never taken from the registry
    [InlineData("http://127.0.0.1:4222")]
    [InlineData("nats://127.0.0.1:4222/path")]
    [InlineData("127.0.0.1:4222")]
    public async Task A_server_a_node_advertises_that_may_not_be_dialled_is_refused_before_any_connection(string advertised)
    {
        var plugins = new Micro.Hosting.MicroPlugins();
        new NatsPlugin().Register(plugins);
        await using var own = new NatsTransport(nats.Server.Url); // never connected by this test: no call is made
        await using var catalog = new Micro.Hosting.TransportCatalog(own, plugins, Micro.Hosting.MicroSettings.Default, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        Assert.Same(own, catalog.Get("nats", advertised)); // no transport is made for it, so nothing dials it
    }
}

/// <summary>What NATS.Net logs through us: its connection lines, and the server's INFO dump only at Debug.</summary>
[Collection(NatsCollection.Name)]
public sealed class NatsLoggingTests(NatsFixture nats)
{
    [Fact]
    public async Task The_servers_info_dump_is_logged_at_debug_not_information()
    {
        var logs = new Microsoft.Extensions.Logging.Testing.FakeLoggerProvider();
        using var factory = new Microsoft.Extensions.Logging.LoggerFactory([logs]);
        await using (var broker = new NatsBroker(nats.Server.Url, factory))
        {
            await broker.ConnectAsync();
        }

        var records = logs.Collector.GetSnapshot();
        var info = Assert.Single(records, r => r.Message.Contains("Received server info", StringComparison.Ordinal));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, info.Level);
        Assert.Contains(records, r => r.Level == Microsoft.Extensions.Logging.LogLevel.Information && (r.Category ?? "").StartsWith("NATS.", StringComparison.Ordinal)); // the rest as it was
    }
}

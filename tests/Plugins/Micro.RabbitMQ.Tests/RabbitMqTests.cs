using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using Micro.Broker;
using Micro.Hosting;
using Micro.Transport;

namespace Micro.RabbitMQ.Tests;

[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqBrokerTests(RabbitMqFixture rabbit) : BrokerContractTests
{
    protected override async Task<IBroker> ConnectAsync()
    {
        var broker = new RabbitMqBroker(RabbitMqBrokerOptions.Default with { Url = rabbit.Server.Url });
        await broker.ConnectAsync();
        return broker;
    }

    [Fact]
    public async Task A_durable_queue_keeps_1000_messages_for_a_stopped_subscriber()
    {
        var topic = "durable." + Guid.NewGuid().ToString("N")[..8];
        var options = SubscribeOptions.Default with { Durable = true, Queue = "keeper-" + topic };
        var got = new ConcurrentDictionary<int, int>();
        BrokerHandler handler = (e, _) =>
        {
            got.AddOrUpdate(BitConverter.ToInt32(e.Message.Body.Span), 1, (_, c) => c + 1);
            return ValueTask.CompletedTask;
        };

        await using (var first = await ConnectAsync())
        {
            var sub = await first.SubscribeAsync(topic, handler, options); // declares and binds the durable queue
            await sub.UnsubscribeAsync(); // the subscriber goes away; the queue stays
        }

        await using (var publisher = await ConnectAsync())
        {
            for (var i = 0; i < 1000; i++)
            {
                await publisher.PublishAsync(topic, Message(i));
            }
        }

        await using var second = await ConnectAsync();
        await using var again = await second.SubscribeAsync(topic, handler, options);
        await Eventually(() => got.Count >= 1000, "1000 messages after the restart");
        Assert.Equal(Enumerable.Range(0, 1000), got.Keys.Order());
    }
}

[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqCallTests(RabbitMqFixture rabbit) : CallContractTests
{
    protected override ITransport CreateTransport() => new RabbitMqTransport(rabbit.Server.Url);

    protected override string DeadAddress => "micro.rpc.nobody-listens-here";
}

/// <summary>A broker restart: own server, since it is stopped and started.</summary>
public sealed class RabbitMqReconnectTests
{
    [Fact]
    public async Task Publishing_resumes_after_the_broker_comes_back_without_restarting_the_client()
    {
        await using var server = new RabbitMqServer();
        await server.StartAsync();
        await using var subscriber = new RabbitMqBroker(RabbitMqBrokerOptions.Default with { Url = server.Url });
        await using var publisher = new RabbitMqBroker(RabbitMqBrokerOptions.Default with { Url = server.Url });
        var got = new ConcurrentBag<int>();
        await using var sub = await subscriber.SubscribeAsync("reconnect", (e, _) =>
        {
            got.Add(BitConverter.ToInt32(e.Message.Body.Span));
            return ValueTask.CompletedTask;
        }, SubscribeOptions.Default with { Queue = "reconnect-q" });
        await publisher.PublishAsync("reconnect", new BrokerMessage(null, BitConverter.GetBytes(1)));
        await WaitFor(() => got.Contains(1), TimeSpan.FromSeconds(30));

        await server.RestartAsync(); // same port and data; both clients recover on their own

        var deadline = DateTime.UtcNow.AddSeconds(90);
        var n = 100;
        while (!got.Any(x => x >= 100))
        {
            Assert.True(DateTime.UtcNow < deadline, "delivery did not resume after the broker restart");
            try
            {
                await publisher.PublishAsync("reconnect", new BrokerMessage(null, BitConverter.GetBytes(n++)));
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                // still recovering
            }

            await Task.Delay(250);
        }
    }

    [Fact]
    public void The_plugin_is_selected_by_configuration_alone()
    {
        var plugins = new MicroPlugins();
        var settings = MicroSettings.Default with { Broker = "rabbitmq", BrokerAddress = "127.0.0.1:5999", Transport = "rabbitmq" };
        var broker = plugins.CreateBroker(settings, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, new Micro.Registry.MemoryRegistry());
        Assert.IsType<RabbitMqBroker>(broker);
        Assert.Equal("127.0.0.1:5999", broker.Address);
        Assert.IsType<RabbitMqTransport>(plugins.CreateTransport(settings, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
    }

    [Fact]
    public async Task Its_section_and_AddRabbitMq_set_the_broker_options_and_a_bad_value_names_its_key()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Micro:Broker:Name"] = "rabbitmq",
            ["Micro:Broker:Address"] = "127.0.0.1:5999",
            ["Micro:Broker:RabbitMQ:Exchange"] = "billing-events",
            ["Micro:Broker:RabbitMQ:DurableExchange"] = "true",
        }).Build();
        await using var environment = MicroEnvironment.Create(MicroSettings.FromConfiguration(configuration),
            micro => micro.AddRabbitMq(o => o with { PublisherConfirms = false }));
        var options = Assert.IsType<RabbitMqBroker>(environment.Broker).Options;
        Assert.Equal(("billing-events", true, false, "127.0.0.1:5999"), (options.Exchange, options.DurableExchange, options.PublisherConfirms, environment.Broker.Address));

        var bad = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Micro:Broker:RabbitMQ:DurableExchange"] = "sometimes" }).Build();
        var e = Assert.Throws<FormatException>(() => RabbitMqBrokerOptions.Read(bad));
        Assert.Contains("Micro:Broker:RabbitMQ:DurableExchange: 'sometimes' is not true or false", e.Message, StringComparison.Ordinal);
    }

    private static async Task WaitFor(Func<bool> condition, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }
}

[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqStreamTests(RabbitMqFixture rabbit) : StreamContractTests
{
    protected override ITransport CreateTransport() => new RabbitMqTransport(rabbit.Server.Url);

    protected override int Window => RabbitMqTransport.StreamWindow;
}

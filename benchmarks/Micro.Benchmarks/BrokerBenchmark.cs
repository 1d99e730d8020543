using System.Diagnostics;
using System.Text.Json;
using Micro.Broker;
using Micro.Client;
using Micro.Codec;
using Micro.Nats;
using Micro.RabbitMQ;
using Micro.Registry;
using Micro.Selector;
using Micro.Transport;
using NATS.Client.Core;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Micro.Benchmarks;

/// <summary>Result of one publish-to-delivery run.</summary>
internal sealed record BrokerResult(string System, int Messages, double Seconds, double P50Us, double P99Us)
{
    public double Throughput => Messages / Seconds;
}

/// <summary>
/// Publish-to-delivery: one publisher keeps at most <c>Window</c> messages in flight (published, not yet delivered) and a
/// subscriber in the same process records each message's latency from the timestamp it carries. The same payload
/// (a small JSON event) goes through Micro's client and broker, and through the raw client library.
/// </summary>
internal static class BrokerBenchmark
{
    private const int Window = 256;

    public sealed record Tick(long Sent, int N);

    public static async Task<BrokerResult> RunAsync(string system, int messages, Func<Func<ReadOnlyMemory<byte>, ValueTask>, Task<IAsyncDisposable>> subscribe, Func<byte[], ValueTask> publish)
    {
        var latencies = new long[messages];
        var delivered = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var window = new SemaphoreSlim(Window, Window);
        await using var sub = await subscribe(body =>
        {
            var tick = JsonSerializer.Deserialize<Tick>(body.Span, JsonCodec.DefaultOptions)!;
            latencies[tick.N] = Stopwatch.GetTimestamp() - tick.Sent;
            window.Release();
            if (Interlocked.Increment(ref delivered) == messages)
            {
                done.TrySetResult();
            }

            return ValueTask.CompletedTask;
        });

        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < messages; i++)
        {
            await window.WaitAsync();
            await publish(JsonSerializer.SerializeToUtf8Bytes(new Tick(Stopwatch.GetTimestamp(), i), JsonCodec.DefaultOptions));
        }

        await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Array.Sort(latencies);
        double Us(double p) => latencies[Math.Min(messages - 1, (int)(p * messages))] * 1_000_000.0 / Stopwatch.Frequency;
        return new BrokerResult(system, messages, seconds, Us(0.5), Us(0.99));
    }

    /// <summary>Micro's client publishing typed events, Micro's broker delivering them to a subscriber.</summary>
    public static Task<BrokerResult> MicroAsync(string system, IBroker broker, int messages)
    {
        var client = new MicroClient(new RegistrySelector(new MemoryRegistry()), new MemoryTransport(), CodecRegistry.Default, ClientOptions.Default, broker: broker);
        var topic = "bench." + Guid.NewGuid().ToString("N")[..8];
        return RunAsync(system, messages,
            async deliver => await broker.SubscribeAsync(topic, (e, _) => deliver(e.Message.Body), SubscribeOptions.Default with { Queue = "bench" }),
            body => client.PublishAsync(new MicroMessage(topic, body)));
    }

    /// <summary>
    /// Raw NATS.Net delivering the same event. With <paramref name="withHeaders"/> it also carries what Micro's message
    /// carries (content type, topic, a unique id) as NATS headers, so both deliver the same information.
    /// </summary>
    public static async Task<BrokerResult> RawNatsAsync(string url, int messages, bool withHeaders)
    {
        await using var nats = new NatsConnection(new NatsOpts { Url = url });
        await nats.ConnectAsync();
        var topic = "raw." + Guid.NewGuid().ToString("N")[..8];
        return await RunAsync(withHeaders ? "raw NATS.Net, same headers" : "raw NATS.Net, payload only", messages, async deliver =>
        {
            var sub = await nats.SubscribeCoreAsync<byte[]>(topic, queueGroup: "bench");
            await nats.PingAsync();
            var loop = Task.Run(async () =>
            {
                await foreach (var msg in sub.Msgs.ReadAllAsync())
                {
                    _ = msg.Headers?.Count;
                    await deliver(msg.Data!);
                }
            });
            return new Disposer(async () =>
            {
                await sub.UnsubscribeAsync();
                await loop;
            });
        }, body => withHeaders
            ? nats.PublishAsync(topic, body, new NatsHeaders { ["Content-Type"] = "application/json", ["Micro-Topic"] = topic, ["Micro-Id"] = Guid.NewGuid().ToString() })
            : nats.PublishAsync(topic, body));
    }

    public static async Task<BrokerResult> RawRabbitMqAsync(string url, int messages)
    {
        var factory = new ConnectionFactory { Uri = new Uri(url) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var publishChannel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        await publishChannel.ExchangeDeclareAsync("raw-bench", ExchangeType.Topic);
        var topic = "raw." + Guid.NewGuid().ToString("N")[..8];
        var gate = new SemaphoreSlim(1, 1);
        return await RunAsync("raw RabbitMQ.Client, same headers", messages, async deliver =>
        {
            var channel = await connection.CreateChannelAsync();
            await channel.BasicQosAsync(0, 64, false);
            var queue = (await channel.QueueDeclareAsync("raw-" + topic, durable: false, exclusive: false, autoDelete: true)).QueueName;
            await channel.QueueBindAsync(queue, "raw-bench", topic);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, e) =>
            {
                await deliver(e.Body);
                await channel.BasicAckAsync(e.DeliveryTag, false);
            };
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
            return new Disposer(async () => await channel.CloseAsync());
        }, async body =>
        {
            await gate.WaitAsync();
            try
            {
                var headers = new Dictionary<string, object?>
                {
                    ["Content-Type"] = "application/json"u8.ToArray(),
                    ["Micro-Topic"] = System.Text.Encoding.UTF8.GetBytes(topic),
                    ["Micro-Id"] = System.Text.Encoding.UTF8.GetBytes(Guid.NewGuid().ToString()),
                };
                await publishChannel.BasicPublishAsync("raw-bench", topic, false, new BasicProperties { Persistent = true, ContentType = "application/json", Headers = headers }, body);
            }
            finally
            {
                gate.Release();
            }
        });
    }

    private sealed class Disposer(Func<Task> dispose) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await dispose();
    }
}

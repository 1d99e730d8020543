using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Micro.Broker;
using Micro.Nats;
using Micro.RabbitMQ;
using Micro.Transport;
using Xunit.Abstractions;

namespace Micro.FaultTests;

/// <summary>A broker server restarted while messages are published to a durable subscription.</summary>
public sealed class BrokerFaultTests(ITestOutputHelper output)
{
    private const int Messages = 3000;

    [Fact]
    public async Task Nats_restarted_under_publish_load_loses_no_message_of_a_durable_subscription()
    {
        await using var nats = new NatsServer();
        await nats.StartAsync();
        using var logs = new RecentLogs(200);
        await using var publisher = new NatsBroker(nats.Url, logs);
        await using var subscriber = new NatsBroker(nats.Url, logs);
        await RestartUnderLoadAsync("nats-restart", nats, publisher, subscriber, "faults.orders", logs);
    }

    [Fact]
    public async Task RabbitMq_restarted_under_publish_load_loses_no_message_of_a_durable_subscription()
    {
        await using var rabbit = new RabbitMqServer();
        await rabbit.StartAsync();
        // Durable exchange, queue and persistent messages: what survives a broker restart.
        var options = RabbitMqBrokerOptions.Default with { Url = rabbit.Url, DurableExchange = true };
        using var logs = new RecentLogs(200);
        await using var publisher = new RabbitMqBroker(options, logs);
        await using var subscriber = new RabbitMqBroker(options, logs);
        await RestartUnderLoadAsync("rabbitmq-restart", rabbit, publisher, subscriber, "faults.orders", logs);
    }

    [Fact]
    public async Task A_slow_durable_subscriber_takes_at_most_its_prefetch_while_thousands_of_messages_wait_on_the_server()
    {
        await using var nats = new NatsServer();
        await nats.StartAsync();
        using var logs = new RecentLogs(200);
        await using var publisher = new NatsBroker(nats.Url, logs);
        await using var subscriber = new NatsBroker(nats.Url, logs);
        const int count = 8_000;
        var body = new byte[8192]; // 64 MB in all: held by the subscriber, it would show
        var seen = new ConcurrentDictionary<int, byte>();
        var running = 0;
        var peak = 0;
        await using var subscription = await subscriber.SubscribeAsync("faults.slow", async (delivery, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            lock (seen)
            {
                peak = Math.Max(peak, now);
            }

            await Task.Delay(1, ct);
            seen.TryAdd(BitConverter.ToInt32(delivery.Message.Body.Span), 0);
            Interlocked.Decrement(ref running);
        }, SubscribeOptions.Default with { Durable = true, Queue = "slow-keeper", MaxConcurrency = 4, Prefetch = 32 });

        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var heapMax = baseline;
        var clock = Stopwatch.StartNew();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                heapMax = Math.Max(heapMax, GC.GetTotalMemory(forceFullCollection: true));
                await Task.Delay(200);
            }
        });

        for (var i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(body, i);
            await publisher.PublishAsync("faults.slow", new BrokerMessage(new Dictionary<string, string>(), body.ToArray()));
        }

        var published = clock.Elapsed;
        var backlogAtEnd = count - seen.Count;
        var deadline = Stopwatch.GetTimestamp() + (long)(120 * Stopwatch.Frequency);
        while (seen.Count < count && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }

        await sampling.CancelAsync();
        await sampler;
        Figures.Print(output, "slow-subscriber", ("published", count), ("message_bytes", body.Length), ("delivered", seen.Count), ("lost", count - seen.Count),
            ("publish_s", published.TotalSeconds.ToString("0.0")), ("drain_s", clock.Elapsed.TotalSeconds.ToString("0.0")), ("backlog_when_publishing_ended", backlogAtEnd),
            ("peak_concurrency", peak), ("max_concurrency", 4), ("prefetch", 32), ("heap_growth_max_mb", ((heapMax - baseline) / 1e6).ToString("0.0")));

        Assert.Equal(count, seen.Count);
        Assert.InRange(peak, 1, 4);
        Assert.True(backlogAtEnd > 1000, "the subscriber kept up: nothing waited on the server, so this measured nothing");
        Assert.True(heapMax - baseline < 16_000_000, $"the heap grew {(heapMax - baseline) / 1e6:0.0} MB while {backlogAtEnd} messages of 8 KB waited");
    }

    /// <summary>
    /// Publishes <see cref="Messages"/> numbered messages, one at a time, to a durable queue subscription; a third of the
    /// way in the server is killed (SIGKILL), left down 2 s and started again on the same port and data. Every number
    /// must arrive; how many arrived twice is reported. A publish that cannot complete fails with the brokers' last log lines.
    /// </summary>
    private async Task RestartUnderLoadAsync(string name, ExternalServer server, IBroker publisher, IBroker subscriber, string topic, RecentLogs logs)
    {
        var seen = new ConcurrentDictionary<int, int>();
        await subscriber.SubscribeAsync(topic, (delivery, _) =>
        {
            seen.AddOrUpdate(int.Parse(Encoding.UTF8.GetString(delivery.Message.Body.Span), System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
            return ValueTask.CompletedTask;
        }, SubscribeOptions.Default with { Durable = true, Queue = "fault-keeper" });

        var clock = Stopwatch.StartNew();
        Task? restart = null;
        var down = TimeSpan.Zero;
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < Messages; i++)
        {
            if (i == Messages / 3)
            {
                restart = Task.Run(async () =>
                {
                    var stopped = clock.Elapsed;
                    await server.StopAsync();
                    await Task.Delay(TimeSpan.FromSeconds(2)); // publishers keep going against a server that is gone
                    await server.StartAsync();
                    down = clock.Elapsed - stopped;
                });
            }

            var started = clock.Elapsed;
            var header = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [MicroHeaders.Id] = Guid.NewGuid().ToString() };
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try
            {
                await publisher.PublishAsync(topic, new BrokerMessage(header, Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture))), limit.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"publishing message {i} did not complete in 120 s (server down {down.TotalSeconds:0.0} s so far). Last log lines:\n" + string.Join("\n", logs.Lines));
            }

            slowest = TimeSpan.FromTicks(Math.Max(slowest.Ticks, (clock.Elapsed - started).Ticks));
        }

        await restart!;
        var deadline = clock.Elapsed + TimeSpan.FromSeconds(60);
        while (seen.Count < Messages && clock.Elapsed < deadline)
        {
            await Task.Delay(100);
        }

        var lost = Enumerable.Range(0, Messages).Count(i => !seen.ContainsKey(i));
        var duplicates = seen.Values.Sum(n => n - 1);
        Figures.Print(output, name, ("published", Messages), ("delivered", seen.Values.Sum()), ("lost", lost), ("duplicated", duplicates),
            ("slowest_publish_ms", (int)slowest.TotalMilliseconds), ("server_down_ms", (int)down.TotalMilliseconds));

        Assert.Equal(0, lost);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Micro.Broker;
using Micro.Nats;
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
        await using var publisher = new NatsBroker(nats.Url);
        await using var subscriber = new NatsBroker(nats.Url);
        var seen = new ConcurrentDictionary<int, int>();
        const string topic = "faults.orders";
        await subscriber.SubscribeAsync(topic, (delivery, _) =>
        {
            seen.AddOrUpdate(int.Parse(Encoding.UTF8.GetString(delivery.Message.Body.Span), System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
            return ValueTask.CompletedTask;
        }, SubscribeOptions.Default with { Durable = true, Queue = "fault-keeper" });

        var clock = Stopwatch.StartNew();
        Task? restart = null;
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < Messages; i++)
        {
            if (i == Messages / 3)
            {
                restart = Task.Run(async () =>
                {
                    await nats.StopAsync();
                    await Task.Delay(TimeSpan.FromSeconds(2)); // publishers keep going against a server that is gone
                    await nats.StartAsync();
                });
            }

            var started = clock.Elapsed;
            var header = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [MicroHeaders.Id] = Guid.NewGuid().ToString() };
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await publisher.PublishAsync(topic, new BrokerMessage(header, Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture))), limit.Token);
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
        Figures.Print(output, "nats-restart", ("published", Messages), ("delivered", seen.Values.Sum()), ("lost", lost), ("duplicated", duplicates),
            ("slowest_publish_ms", (int)slowest.TotalMilliseconds), ("server_down_ms", 2000));

        Assert.Equal(0, lost);
    }
}

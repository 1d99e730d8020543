using System.Collections.Concurrent;
using Micro.Broker;

namespace Micro.Testing;

/// <summary>What every broker must do. Each broker's test class supplies connections to one shared backend.</summary>
public abstract class BrokerContractTests
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A new broker connection (like another process) to the backend under test.</summary>
    protected abstract Task<IBroker> ConnectAsync();

    /// <summary>Whether a failed message is delivered again.</summary>
    protected virtual bool Redelivers => true;

    /// <summary>A topic no other test uses.</summary>
    protected static string Topic() => "test." + Guid.NewGuid().ToString("N")[..12];

    protected static BrokerMessage Message(int n, Dictionary<string, string>? header = null)
        => new(header ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), BitConverter.GetBytes(n));

    protected static int Number(BrokerEvent e) => BitConverter.ToInt32(e.Message.Body.Span);

    protected static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for: {what}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Broadcast_reaches_every_subscriber()
    {
        var topic = Topic();
        var (got, subscriptions, subscribers) = await SubscribeThreeAsync(topic, SubscribeOptions.Default);

        await using var publisher = await ConnectAsync();
        for (var i = 0; i < 20; i++)
        {
            await publisher.PublishAsync(topic, Message(i));
        }

        await Eventually(() => got.All(b => b.Count >= 20), "20 messages at each of 3 subscribers");
        await Task.Delay(200);
        Assert.All(got, b => Assert.Equal(Enumerable.Range(0, 20), b.Order()));
        await DisposeAll(subscriptions, subscribers);
    }

    [Fact]
    public async Task A_queue_group_splits_messages_with_none_lost_or_duplicated()
    {
        var topic = Topic();
        var (got, subscriptions, subscribers) = await SubscribeThreeAsync(topic, SubscribeOptions.Default with { Queue = "workers" });

        await using var publisher = await ConnectAsync();
        const int count = 300;
        for (var i = 0; i < count; i++)
        {
            await publisher.PublishAsync(topic, Message(i));
        }

        await Eventually(() => got.Sum(b => b.Count) >= count, $"{count} messages across the group");
        await Task.Delay(300); // a duplicate would show up now
        var all = got.SelectMany(b => b).ToArray();
        Assert.Equal(count, all.Length);
        Assert.Equal(Enumerable.Range(0, count), all.Order());
        Assert.All(got, b => Assert.NotEmpty(b)); // every member took a share
        await DisposeAll(subscriptions, subscribers);
    }

    [Fact]
    public async Task A_slow_subscriber_runs_at_most_its_max_concurrency_at_once_and_loses_nothing()
    {
        var topic = Topic();
        await using var broker = await ConnectAsync();
        var running = 0;
        var peak = 0;
        var got = new ConcurrentQueue<int>();
        await using var subscription = await broker.SubscribeAsync(topic, async (e, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(5, ct); // slow: messages arrive faster than they are handled
            got.Enqueue(Number(e));
            Interlocked.Decrement(ref running);
        }, SubscribeOptions.Default with { MaxConcurrency = 4, Prefetch = 8 });

        await using var publisher = await ConnectAsync();
        const int count = 200;
        for (var i = 0; i < count; i++)
        {
            await publisher.PublishAsync(topic, Message(i));
        }

        await Eventually(() => got.Count >= count, $"{count} messages through a subscriber handling 4 at a time");
        await Task.Delay(200); // a duplicate would show up now
        Assert.Equal(Enumerable.Range(0, count), got.Order());
        Assert.InRange(peak, 1, 4);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen && Interlocked.CompareExchange(ref target, value, seen) != seen; seen = Volatile.Read(ref target))
        {
        }
    }

    [Fact]
    public async Task Headers_arrive_with_the_body()
    {
        var topic = Topic();
        await using var broker = await ConnectAsync();
        var received = new TaskCompletionSource<BrokerEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var sub = await broker.SubscribeAsync(topic, (e, _) =>
        {
            received.TrySetResult(e);
            return ValueTask.CompletedTask;
        });
        await using var publisher = await ConnectAsync();
        await publisher.PublishAsync(topic, Message(7, new Dictionary<string, string> { ["Content-Type"] = "application/json", ["X-Trace"] = "abc" }));
        var e = await received.Task.WaitAsync(Patience);
        Assert.Equal(7, Number(e));
        Assert.Equal("abc", e.Message.Headers["X-Trace"]);
        Assert.Equal("application/json", e.Message.Headers["Content-Type"]);
        Assert.Equal(topic, e.Topic);
    }

    [Fact]
    public async Task Manual_ack_acknowledges_and_a_failure_is_delivered_again()
    {
        var topic = Topic();
        await using var broker = await ConnectAsync();
        var attempts = new ConcurrentDictionary<int, int>();
        await using var sub = await broker.SubscribeAsync(topic, async (e, ct) =>
        {
            var n = Number(e);
            var attempt = attempts.AddOrUpdate(n, 1, (_, a) => a + 1);
            if (n == 1 && attempt == 1)
            {
                await e.NackAsync(requeue: true, ct); // fail the first delivery of message 1
                return;
            }

            await e.AckAsync(ct);
        }, SubscribeOptions.Default with { AutoAck = false });
        await using var publisher = await ConnectAsync();
        await publisher.PublishAsync(topic, Message(0));
        await publisher.PublishAsync(topic, Message(1));
        if (Redelivers)
        {
            await Eventually(() => attempts.GetValueOrDefault(1) >= 2, "message 1 delivered again after its failure");
        }
        else
        {
            await Eventually(() => attempts.ContainsKey(1), "message 1 delivered");
        }

        await Task.Delay(300);
        Assert.Equal(1, attempts[0]); // acknowledged: never again
    }

    [Fact]
    public async Task A_throwing_subscriber_does_not_acknowledge()
    {
        var topic = Topic();
        await using var broker = await ConnectAsync();
        var attempts = 0;
        await using var sub = await broker.SubscribeAsync(topic, (_, _) =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                throw new InvalidOperationException("first try fails");
            }

            return ValueTask.CompletedTask;
        });
        var dead = new ConcurrentQueue<BrokerEvent>();
        await using var deadSub = await CollectAsync(broker, topic + ".dead", dead);
        await using var publisher = await ConnectAsync();
        await publisher.PublishAsync(topic, Message(1));
        if (Redelivers)
        {
            // Not acknowledged, so delivered again; the second try succeeds and nothing is dead-lettered.
            await Eventually(() => Volatile.Read(ref attempts) >= 2, "the failed message to be retried");
            Assert.Empty(dead);
        }
        else
        {
            // A broker that cannot deliver again does not count the failure as handled either: the message is
            // dead-lettered with the handler's error, not dropped as if acknowledged.
            await Eventually(() => !dead.IsEmpty, "the failed message on the dead-letter topic");
            var letter = Assert.Single(dead);
            Assert.Contains("first try fails", letter.Message.Headers[Deliveries.DeadReasonHeader], StringComparison.Ordinal);
            Assert.Equal(1, Volatile.Read(ref attempts));
        }
    }

    public sealed record Numbered(int N);

    /// <summary>Subscribes to <paramref name="topic"/>, putting every delivery in <paramref name="into"/>.</summary>
    protected static ValueTask<ISubscription> CollectAsync(IBroker broker, string topic, ConcurrentQueue<BrokerEvent> into)
        => broker.SubscribeAsync(topic, (e, _) =>
        {
            into.Enqueue(e);
            return ValueTask.CompletedTask;
        });

    private static BrokerMessage Json(string json)
        => new(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = "application/json" }, System.Text.Encoding.UTF8.GetBytes(json));

    [Fact]
    public async Task One_undecodable_message_goes_to_the_dead_letter_topic_and_999_good_ones_are_delivered_once()
    {
        var topic = Topic();
        await using var broker = await ConnectAsync();
        var dead = new ConcurrentQueue<BrokerEvent>();
        await using var deadSub = await CollectAsync(broker, topic + ".dead", dead);
        var got = new ConcurrentDictionary<int, int>();
        var attempts = 0;
        await using var sub = await broker.SubscribeAsync(topic, (e, _) =>
        {
            Interlocked.Increment(ref attempts);
            got.AddOrUpdate(e.Decode<Numbered>().N, 1, (_, n) => n + 1);
            return ValueTask.CompletedTask;
        });
        await using var publisher = await ConnectAsync();
        for (var i = 0; i < 1000; i++)
        {
            await publisher.PublishAsync(topic, i == 500 ? Json("{not json") : Json($$"""{"n":{{i}}}"""));
        }

        await Eventually(() => got.Count == 999 && !dead.IsEmpty, "999 messages delivered and the bad one dead-lettered");
        await Task.Delay(500); // idle afterwards: nothing comes again
        Console.WriteLine($"{GetType().Name}: {Volatile.Read(ref attempts)} deliveries for 1000 messages, {dead.Count} dead letter(s)");
        Assert.Equal(1000, Volatile.Read(ref attempts));
        Assert.All(got.Values, n => Assert.Equal(1, n));
        var letter = Assert.Single(dead);
        Assert.Equal("{not json", System.Text.Encoding.UTF8.GetString(letter.Message.Body.Span));
        Assert.Equal(topic, letter.Message.Headers[Deliveries.DeadTopicHeader]);
        Assert.StartsWith("undecodable", letter.Message.Headers[Deliveries.DeadReasonHeader], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_whose_handler_keeps_failing_is_delivered_max_deliver_times_then_dead_lettered()
    {
        var topic = Topic();
        await using var broker = await ConnectAsync();
        var dead = new ConcurrentQueue<BrokerEvent>();
        await using var deadSub = await CollectAsync(broker, topic + ".dead", dead);
        var attempts = 0;
        await using var sub = await broker.SubscribeAsync(topic, (_, _) =>
        {
            Interlocked.Increment(ref attempts);
            throw new InvalidOperationException("always fails");
        }, SubscribeOptions.Default with { MaxDeliver = 3, RetryBackoff = TimeSpan.FromMilliseconds(20) });
        await using var publisher = await ConnectAsync();
        await publisher.PublishAsync(topic, Json("""{"n":1}"""));
        await Eventually(() => !dead.IsEmpty, "the failing message on the dead-letter topic");
        await Task.Delay(300); // and never again
        var expected = Redelivers ? 3 : 1; // a broker that cannot redeliver dead-letters at the first failure
        Assert.Equal(expected, Volatile.Read(ref attempts));
        var letter = Assert.Single(dead);
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), letter.Message.Headers[Deliveries.DeadDeliveriesHeader]);
        Assert.Contains("always fails", letter.Message.Headers[Deliveries.DeadReasonHeader], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsubscribe_stops_delivery()
    {
        var topic = Topic();
        await using var broker = await ConnectAsync();
        var count = 0;
        var sub = await broker.SubscribeAsync(topic, (_, _) =>
        {
            Interlocked.Increment(ref count);
            return ValueTask.CompletedTask;
        });
        await using var publisher = await ConnectAsync();
        await publisher.PublishAsync(topic, Message(1));
        await Eventually(() => Volatile.Read(ref count) == 1, "the first message");
        await sub.UnsubscribeAsync();
        await Task.Delay(300);
        await publisher.PublishAsync(topic, Message(2));
        await Task.Delay(500);
        Assert.Equal(1, Volatile.Read(ref count));
    }

    [Fact]
    public async Task Publishing_to_a_topic_nobody_subscribes_to_is_not_an_error()
    {
        await using var publisher = await ConnectAsync();
        for (var i = 0; i < 10; i++)
        {
            await publisher.PublishAsync(Topic(), Message(i));
        }
    }

    /// <summary>Three subscribers, each on its own connection, each collecting the numbers it receives.</summary>
    private async Task<(ConcurrentBag<int>[] Got, List<ISubscription> Subscriptions, List<IBroker> Brokers)> SubscribeThreeAsync(string topic, SubscribeOptions options)
    {
        var got = Enumerable.Range(0, 3).Select(_ => new ConcurrentBag<int>()).ToArray();
        var brokers = new List<IBroker>();
        var subscriptions = new List<ISubscription>();
        foreach (var bag in got)
        {
            var broker = await ConnectAsync();
            brokers.Add(broker);
            subscriptions.Add(await broker.SubscribeAsync(topic, (e, _) =>
            {
                bag.Add(Number(e));
                return ValueTask.CompletedTask;
            }, options));
        }

        return (got, subscriptions, brokers);
    }

    private static async Task DisposeAll(List<ISubscription> subscriptions, List<IBroker> brokers)
    {
        foreach (var s in subscriptions)
        {
            await s.DisposeAsync();
        }

        foreach (var b in brokers)
        {
            await b.DisposeAsync();
        }
    }
}

using System.Collections.Concurrent;
using Micro.Broker;

namespace Micro.Tests;

/// <summary>A slow subscriber holds back its publishers instead of growing memory, and runs its handlers as many at a time as it is allowed.</summary>
public sealed class SubscriberBackpressureTests
{
    [Fact]
    public async Task The_memory_broker_holds_at_most_the_prefetch_for_a_slow_subscriber_and_makes_its_publisher_wait()
    {
        await using var broker = new MemoryBroker();
        var completed = 0;
        var gate = new SemaphoreSlim(0);
        await using var subscription = await broker.SubscribeAsync("slow", async (e, ct) =>
        {
            await gate.WaitAsync(ct);
            Interlocked.Increment(ref completed);
        }, SubscribeOptions.Default with { MaxConcurrency = 4, Prefetch = 16 });

        // 16 are taken (4 handled, 12 waiting); the 17th publish waits for room.
        for (var i = 0; i < 16; i++)
        {
            await broker.PublishAsync("slow", new BrokerMessage(new Dictionary<string, string>(), BitConverter.GetBytes(i)));
        }

        var seventeenth = broker.PublishAsync("slow", new BrokerMessage(new Dictionary<string, string>(), BitConverter.GetBytes(16))).AsTask();
        await Task.Delay(100); // it would have completed by now if the broker buffered without bound
        Assert.False(seventeenth.IsCompleted, "the publisher did not wait: the broker held more than the prefetch");

        gate.Release(1); // one handled: room for one
        await seventeenth.WaitAsync(TimeSpan.FromSeconds(10));
        gate.Release(16);
        for (var i = 0; i < 500 && Volatile.Read(ref completed) < 17; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(17, completed);
    }

    [Fact]
    public async Task Handlers_run_max_concurrency_at_a_time_and_one_slot_keeps_the_order()
    {
        await using var broker = new MemoryBroker();
        var running = 0;
        var peak = 0;
        var order = new ConcurrentQueue<int>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var parallel = await broker.SubscribeAsync("work", async (e, ct) =>
        {
            var now = Interlocked.Increment(ref running);
            lock (order)
            {
                peak = Math.Max(peak, now);
            }

            await Task.Delay(20, ct);
            Interlocked.Decrement(ref running);
        }, SubscribeOptions.Default with { MaxConcurrency = 4, Prefetch = 64 });
        await using var ordered = await broker.SubscribeAsync("work", async (e, ct) =>
        {
            order.Enqueue(BitConverter.ToInt32(e.Message.Body.Span));
            await Task.Yield();
            if (order.Count == 40)
            {
                done.SetResult();
            }
        });

        for (var i = 0; i < 40; i++)
        {
            await broker.PublishAsync("work", new BrokerMessage(new Dictionary<string, string>(), BitConverter.GetBytes(i)));
        }

        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 500 && Volatile.Read(ref running) > 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(4, peak); // forty 20 ms messages queued: all four slots were used, never a fifth
        Assert.Equal(Enumerable.Range(0, 40), order); // the default, one at a time, in publish order
    }
}

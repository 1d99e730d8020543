using Micro.Client;
using Micro.Registry;
using Micro.Selector;
using Micro.Server;
using Micro.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Micro.Tests;

/// <summary>Server load shedding: a fixed or adaptive concurrency limit, and 503s that clients take elsewhere without ejecting the node.</summary>
public sealed class ConcurrencyLimitTests
{
    [Fact]
    public void A_fixed_limit_admits_that_many_and_refuses_the_next_until_one_ends()
    {
        var limiter = new ConcurrencyLimiter(ConcurrencyLimitOptions.Fixed(2), new FakeTimeProvider());
        Assert.True(limiter.TryAcquire());
        Assert.True(limiter.TryAcquire());
        Assert.False(limiter.TryAcquire());
        Assert.Equal(2, limiter.InFlight);
        limiter.Release(limiter.Now());
        Assert.True(limiter.TryAcquire());
    }

    [Fact]
    public void The_adaptive_limit_grows_while_in_use_and_fast_and_shrinks_in_proportion_while_requests_queue()
    {
        var time = new FakeTimeProvider();
        var limiter = new ConcurrencyLimiter(ConcurrencyLimitOptions.Adaptive with { Initial = 16, Min = 6 }, time);
        void Window(int inFlight, TimeSpan latency)
        {
            var started = limiter.Now();
            for (var i = 0; i < inFlight; i++)
            {
                Assert.True(limiter.TryAcquire());
            }

            time.Advance(latency);
            for (var i = 0; i < inFlight; i++)
            {
                limiter.Release(started);
            }

            time.Advance(TimeSpan.FromMilliseconds(100));
            limiter.CloseWindow();
        }

        Window(10, TimeSpan.FromMilliseconds(5)); // sets the baseline; in use (10 >= 16 / 2) and as fast as the best
        Assert.Equal(20, limiter.Limit); // 16 + sqrt(16)
        Window(6, TimeSpan.FromMilliseconds(5));
        Assert.Equal(20, limiter.Limit); // not in use enough to say more room helps

        Window(20, TimeSpan.FromMilliseconds(30)); // six times the baseline: queueing, so by half
        Assert.Equal(10, limiter.Limit);
        Window(10, TimeSpan.FromMilliseconds(11.5)); // a little over twice the baseline: by 10 / 11.5
        Assert.Equal(8, limiter.Limit);
        for (var i = 0; i < 30; i++)
        {
            Window(6, TimeSpan.FromMilliseconds(30));
        }

        Assert.Equal(6, limiter.Limit); // never below Min
        Window(6, TimeSpan.FromMilliseconds(5.5)); // fast again (within the tolerance): grows
        Assert.Equal(8, limiter.Limit);
    }

    [Fact]
    public async Task A_request_past_the_limit_gets_503_at_once_and_the_client_takes_it_to_another_node_without_ejecting_the_busy_one()
    {
        await using var kit = new TestKit(transport: new MemoryTransport(new MemoryNetwork()));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var busy = await kit.StartServerAsync("shed", new Waiter(gate.Task), ServerOptions.Default with { Name = "shed", ConcurrencyLimit = ConcurrencyLimitOptions.Fixed(1) });
        var other = await kit.StartServerAsync("shed", new Waiter(Task.CompletedTask), ServerOptions.Default with { Name = "shed" });

        await using var selector = new RegistrySelector(kit.Registry);
        var client = new MicroClient(selector, kit.Transport, options: ClientOptions.Default with { Retries = 1 });
        var direct = client.CallAsync(new MicroRequest("shed", "Waiter.Wait", Json.Bytes("{}")), new CallOptions { Address = busy.AdvertisedAddress, Retries = 0 });
        for (var i = 0; i < 500 && busy.InFlight == 0; i++)
        {
            await Task.Delay(10); // the first call reaches the busy node's handler
        }

        Assert.Equal(1, busy.InFlight);

        var refused = await Assert.ThrowsAsync<MicroException>(async () => await client.CallAsync(new MicroRequest("shed", "Waiter.Wait", Json.Bytes("{}")), new CallOptions { Address = busy.AdvertisedAddress, Retries = 0 }));
        Assert.Equal(503, refused.Code);
        Assert.Contains("overloaded", refused.Detail, StringComparison.Ordinal);

        // Through the selector: every call lands, on the free node when the busy one refuses.
        for (var i = 0; i < 20; i++)
        {
            var reply = await client.CallAsync(new MicroRequest("shed", "Waiter.Wait", Json.Bytes("{}")));
            Assert.Equal(other.Id, Json.Text(reply.Body).Trim('"'));
        }

        Assert.All(await selector.GetNodesAsync("shed"), n => Assert.False(n.Stats.IsEjected, $"{n.Id} was ejected for shedding load"));
        gate.SetResult();
        await direct;
    }

    public sealed class Waiter(Task gate)
    {
        public async Task<string> Wait(HelloRequest request, CancellationToken cancellationToken)
        {
            await gate.WaitAsync(cancellationToken);
            return CallContext.Current!.NodeId;
        }
    }
}

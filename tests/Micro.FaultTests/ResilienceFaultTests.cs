using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Micro.Client;
using Micro.Registry;
using Micro.Selector;
using Micro.Server;
using Micro.Transport.Tcp;
using Xunit.Abstractions;

namespace Micro.FaultTests;

/// <summary>Issue 18's promises under load: retry budget, load-aware balancing, outlier ejection; each prints its figures.</summary>
public sealed class ResilienceFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task P2c_sends_under_5_percent_of_calls_to_a_node_ten_times_slower_and_keeps_p99_within_2x_of_a_fast_node()
    {
        await using var kit = new TestKit(new MemoryRegistry());
        // Four callers. A fast node scores latency x (in flight + 1): with eight, 4-5 in flight each, and the fast
        // nodes' 5 ms at 10-12 ms on 2 cores shared with the other fault tests, that reaches the slow node's 50 ms, and
        // sending it calls is then right by p2c's own measure (seen: 1.1%, enough to reach p99). 5 ms and 50 ms of
        // waiting, not of CPU: a node that answers in 1 ms is not fast on 2 shared cores, and the ten times would not be.
        // Before NodeStats' warm-up and peak cap CI also saw 10.9%: a fast node's slow first answer (or one pause) made it
        // look slower than the slow node, and it got no calls to show otherwise for seconds.
        var slow = await kit.StartServerAsync("mixed", new Greeter(TimeSpan.FromMilliseconds(50)), ServerOptions.Default with { Name = "mixed" });
        await kit.StartServerAsync("mixed", new Greeter(TimeSpan.FromMilliseconds(5)), ServerOptions.Default with { Name = "mixed" });
        await kit.StartServerAsync("mixed", new Greeter(TimeSpan.FromMilliseconds(5)), ServerOptions.Default with { Name = "mixed" });

        // The strategies alone: no ejections. On a loaded machine the 50 ms node's average can pass 100 ms and ten times
        // the median, and the latency-outlier ejection then took it out of random's picks too (a CI saw 1.56%), so the
        // comparison would measure the ejection, not the balancing.
        const int Workers = 4;
        var strategiesAlone = SelectorOptions.Default with { LatencyOutlier = 0, SuccessRateOutlier = 0, EjectAfterFailures = 0 };
        var results = new Dictionary<string, (double SlowShare, TimeSpan P99, TimeSpan FastP99, int Calls, double PerSecond)>();
        var slowAfterStart = new Dictionary<string, int>();
        foreach (var strategy in new ISelectionStrategy[] { new PowerOfTwoChoicesStrategy(), new RandomStrategy(), new RoundRobinStrategy() })
        {
            await using var selector = new RegistrySelector(kit.Registry, strategy, strategiesAlone);
            await using var transport = new TcpTransport();
            var clock = Stopwatch.StartNew();
            var load = Load.Start(new MicroClient(selector, transport), "mixed", workers: Workers);
            await load.RunForAsync(strategy is PowerOfTwoChoicesStrategy ? 4000 : 2000, TimeSpan.FromSeconds(30)); // p99 of p2c wants the calls; the others are the comparison
            await load.StopAsync();
            var answered = load.Results;
            var slowShare = (double)answered.Count(r => r.Node == slow.Id) / answered.Count;
            slowAfterStart[strategy.Name] = answered.Skip(200).Count(r => r.Node == slow.Id); // past the nodes' first answers (NodeStats.WarmAnswers each)
            results[strategy.Name] = (slowShare, load.Percentile(0.99), Load.Percentile(answered.Where(r => r.Node != slow.Id).Select(r => r.Latency), 0.99), answered.Count, answered.Count / clock.Elapsed.TotalSeconds);
            Assert.True(load.Failures.Count == 0, string.Join("\n", load.Failures.Take(5)));
        }

        Figures.Print(output, "p2c", results.SelectMany(r => new (string, object)[]
        {
            ($"{r.Key}_calls", r.Value.Calls), ($"{r.Key}_calls_per_s", r.Value.PerSecond.ToString("0")), ($"{r.Key}_slow_share", r.Value.SlowShare.ToString("P2")),
            ($"{r.Key}_p99_ms", r.Value.P99.TotalMilliseconds.ToString("0.0")), ($"{r.Key}_fast_node_p99_ms", r.Value.FastP99.TotalMilliseconds.ToString("0.0")),
            ($"{r.Key}_slow_calls_after_first_200", slowAfterStart[r.Key]),
        }).Append(("slow_node_ms", 50)).Append(("fast_node_ms", 5)).Append(("workers", Workers)).ToArray());

        var p2c = results["p2c"];
        Assert.True(p2c.SlowShare < 0.05, $"p2c sent {p2c.SlowShare:P1} of calls to the slow node");
        Assert.True(p2c.P99 <= 2 * p2c.FastP99, $"p2c p99 {p2c.P99.TotalMilliseconds:0.0} ms > 2 x the fast nodes' {p2c.FastP99.TotalMilliseconds:0.0} ms");
        Assert.True(results["random"].SlowShare > 0.2, "random should send about a third to the slow node; the comparison measured nothing");
    }

    [Fact]
    public async Task A_node_failing_30_percent_of_calls_is_ejected_within_2_seconds_and_calls_still_succeed()
    {
        await using var kit = new TestKit(new MemoryRegistry());
        var flaky = await kit.StartServerAsync("flaky", new Greeter(TimeSpan.Zero, failPerTen: 3), ServerOptions.Default with { Name = "flaky" });
        await kit.StartServerAsync("flaky", new Greeter(TimeSpan.Zero), ServerOptions.Default with { Name = "flaky" });
        await kit.StartServerAsync("flaky", new Greeter(TimeSpan.Zero), ServerOptions.Default with { Name = "flaky" });
        await using var selector = new RegistrySelector(kit.Registry);
        await using var transport = new TcpTransport();
        var flakyStats = (await selector.GetNodesAsync("flaky")).Single(n => n.Id == flaky.Id).Stats;

        var clock = Stopwatch.StartNew();
        var load = Load.Start(new MicroClient(selector, transport), "flaky", workers: 8);
        TimeSpan? ejectedAt = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(4))
        {
            if (ejectedAt is null && flakyStats.IsEjected)
            {
                ejectedAt = clock.Elapsed;
            }

            await Task.Delay(5);
        }

        await load.StopAsync();
        var success = (double)load.Succeeded / load.Ended;
        Figures.Print(output, "outlier-ejection", ("calls", load.Ended), ("failed", load.Failures.Count), ("success_after_retries", success.ToString("P3")),
            ("ejected_after_ms", ejectedAt?.TotalMilliseconds.ToString("0") ?? "never"), ("ejections", flakyStats.Ejections), ("flaky_node_fails", "30%"));

        Assert.True(ejectedAt is not null && ejectedAt < TimeSpan.FromSeconds(2), $"the flaky node was ejected after {ejectedAt?.TotalMilliseconds.ToString("0") ?? "never"} ms");
        Assert.True(success >= 0.999, $"success after retries {success:P3}: {string.Join("; ", load.Failures.Take(3))}");
        Assert.True(load.Ended >= 1000, $"only {load.Ended} calls");
    }

    [Fact]
    public async Task With_every_node_of_a_service_down_the_retry_budget_keeps_attempts_per_call_at_most_1_2()
    {
        var registry = new MemoryRegistry();
        var dead = Enumerable.Range(0, 3).Select(_ => $"127.0.0.1:{ClosedPort()}").ToArray();
        await registry.RegisterAsync(new Service { Name = "down", Nodes = dead.Select((a, i) => new Node { Id = $"down-{i}", Address = a }).ToList() }, TimeSpan.FromMinutes(5));

        var (calls, attempts, refused) = await LoadAsync(registry, ClientOptions.Default with { Retries = 3 }, 6_000, TimeSpan.FromSeconds(8));
        var (callsUnbudgeted, attemptsUnbudgeted, _) = await LoadAsync(registry, ClientOptions.Default with { Retries = 3, RetryBudget = null }, 16, TimeSpan.FromSeconds(4));

        var perCall = (double)attempts / calls;
        Figures.Print(output, "retry-budget", ("calls", calls), ("attempts", attempts), ("attempts_per_call", perCall.ToString("0.000")),
            ("refused_by_transport", refused), ("budget", "0.2 of calls or 10/s over 10s"),
            ("without_budget_calls", callsUnbudgeted), ("without_budget_attempts_per_call", ((double)attemptsUnbudgeted / callsUnbudgeted).ToString("0.000")));

        Assert.True(calls >= 1_000, $"only {calls} calls ended, too few for the ratio to decide (the floor allows 100 retries per 10 s, so the ratio decides only past 500 calls)");
        Assert.Equal(attempts, refused); // every attempt really went to a dead node
        Assert.True(perCall <= 1.2, $"attempts per call {perCall:0.000} > 1.2");
        Assert.True((double)attemptsUnbudgeted / callsUnbudgeted > 3.5, "without the budget every call should make its 4 attempts; the comparison measured nothing");
    }

    [Fact]
    public async Task Offered_three_times_its_capacity_a_server_sheds_the_excess_at_once_and_keeps_goodput_and_latency()
    {
        // Client, open-loop generator and servers share one process on 2 cores: with the thread pool's minimum of one
        // thread per core, its slow injection of threads stalled calls for up to a second (with a fixed limit as much as
        // with the adaptive one), which measured the pool, not the server. A server process has no such generator.
        ThreadPool.GetMinThreads(out var workers, out var ports);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), ports);
        try
        {
            await ShedAsync();
        }
        finally
        {
            ThreadPool.SetMinThreads(workers, ports);
        }
    }

    private async Task ShedAsync()
    {
        // Capacity: the handler does 2 requests at a time, 10 ms each (a database pool, say): about 200/s.
        await using var kit = new TestKit(new MemoryRegistry());
        var limited = await kit.StartServerAsync("pool", new PooledGreeter(2, TimeSpan.FromMilliseconds(10)), ServerOptions.Default with { Name = "pool", ConcurrencyLimit = ConcurrencyLimitOptions.Adaptive });
        var unlimited = await kit.StartServerAsync("pool-unlimited", new PooledGreeter(2, TimeSpan.FromMilliseconds(10)), ServerOptions.Default with { Name = "pool-unlimited", ConcurrencyLimit = null });
        await using var selector = new RegistrySelector(kit.Registry);
        await using var transport = new TcpTransport();
        var client = new MicroClient(selector, transport, options: ClientOptions.Default with { Retries = 0 });

        var warmUp = Load.Start(client, "pool", workers: 2, endpoint: "PooledGreeter.Hello");
        await Task.Delay(TimeSpan.FromSeconds(1)); // connections, JIT: not part of the unloaded figure
        await warmUp.StopAsync();
        var unloaded = Load.Start(client, "pool", workers: 2, endpoint: "PooledGreeter.Hello");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await unloaded.StopAsync();
        var capacity = unloaded.Succeeded / 2.0;
        var unloadedP99 = unloaded.Percentile(0.99);

        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var shed = await OpenLoop.RunAsync(client, "pool", 3 * capacity, TimeSpan.FromSeconds(6), () => limited.InFlight);
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        var queued = await OpenLoop.RunAsync(client, "pool-unlimited", 3 * capacity, TimeSpan.FromSeconds(3), () => unlimited.InFlight);

        Figures.Print(output, "load-shedding", ("capacity_per_s", capacity.ToString("0")), ("unloaded_p99_ms", unloadedP99.TotalMilliseconds.ToString("0.0")),
            ("offered_per_s", (3 * capacity).ToString("0")), ("goodput_per_s", shed.GoodputPerSecond.ToString("0")), ("goodput_share", (shed.GoodputPerSecond / capacity).ToString("P0")),
            ("shed_503", shed.Refused), ("other_errors", shed.OtherErrors), ("admitted_p99_ms", shed.AdmittedP99.TotalMilliseconds.ToString("0.0")), ("admitted_p99_first_second_included_ms", shed.AdmittedP99All.TotalMilliseconds.ToString("0.0")),
            ("server_in_flight_max", shed.MaxInFlight), ("limit_at_end", limited.ConcurrencyLimit ?? 0), ("heap_growth_mb", ((heapAfter - heapBefore) / 1e6).ToString("0.0")),
            ("without_limit_p99_ms", queued.AdmittedP99.TotalMilliseconds.ToString("0")), ("without_limit_in_flight_max", queued.MaxInFlight), ("without_limit_goodput_per_s", queued.GoodputPerSecond.ToString("0")));

        Assert.True(shed.OtherErrors == 0, $"{shed.OtherErrors} calls failed otherwise than by shedding: {shed.FirstError}");
        Assert.True(shed.GoodputPerSecond >= 0.9 * capacity, $"goodput {shed.GoodputPerSecond:0}/s < 90% of capacity {capacity:0}/s");
        // After the first second, which the limit needs to come down from its start (64) to what this server can take.
        Assert.True(shed.AdmittedP99 <= 3 * unloadedP99, $"admitted p99 {shed.AdmittedP99.TotalMilliseconds:0.0} ms > 3 x unloaded {unloadedP99.TotalMilliseconds:0.0} ms");
        Assert.True(shed.MaxInFlight <= 64, $"the server held {shed.MaxInFlight} requests at once: it queued instead of shedding");
        Assert.True(heapAfter - heapBefore < 50_000_000, $"the heap grew {(heapAfter - heapBefore) / 1e6:0} MB under overload");
        Assert.True(queued.MaxInFlight > 4 * shed.MaxInFlight, "without the limit requests should pile up; the comparison measured nothing");
    }

    [Fact]
    public async Task Hedging_keeps_p99_under_50_ms_when_one_of_three_nodes_answers_in_2_seconds_with_under_10_percent_extra_attempts()
    {
        await using var kit = new TestKit(new MemoryRegistry());
        var slow = await kit.StartServerAsync("catalog", new Catalog(TimeSpan.FromSeconds(2)), ServerOptions.Default with { Name = "catalog" });
        await kit.StartServerAsync("catalog", new Catalog(TimeSpan.Zero), ServerOptions.Default with { Name = "catalog" });
        await kit.StartServerAsync("catalog", new Catalog(TimeSpan.Zero), ServerOptions.Default with { Name = "catalog" });

        async Task<(int Calls, int Attempts, int ToSlow, TimeSpan P99, TimeSpan P50, int Failed, TimeSpan Max, int OverOneSecond)> RunAsync(ClientOptions options, int calls, TimeSpan limit)
        {
            await using var selector = new RegistrySelector(kit.Registry);
            await using var transport = new RecordingTransport(new TcpTransport(), Stopwatch.StartNew());
            var load = Load.Start(new MicroClient(selector, transport, options: options), "catalog", workers: 8, endpoint: "Catalog.Get");
            await load.RunForAsync(calls, limit);
            await load.StopAsync();
            return (load.Ended, transport.Attempts.Count, transport.Attempts.Count(a => a.Address == slow.AdvertisedAddress), load.Percentile(0.99), load.Percentile(0.5), load.Failures.Count, load.Percentile(1), load.Results.Count(r => r.Latency > TimeSpan.FromSeconds(1)));
        }

        var hedged = await RunAsync(ClientOptions.Default, 4000, TimeSpan.FromSeconds(30));
        var plain = await RunAsync(ClientOptions.Default with { Hedging = null }, 4000, TimeSpan.FromSeconds(4));
        var extra = (double)(hedged.Attempts - hedged.Calls) / hedged.Calls;
        Figures.Print(output, "hedging", ("calls", hedged.Calls), ("failed", hedged.Failed), ("extra_attempts", extra.ToString("P1")), ("attempts_to_slow_node", hedged.ToSlow),
            ("p50_ms", hedged.P50.TotalMilliseconds.ToString("0.0")), ("p99_ms", hedged.P99.TotalMilliseconds.ToString("0.0")), ("max_ms", hedged.Max.TotalMilliseconds.ToString("0")), ("calls_over_1s", hedged.OverOneSecond), ("slow_node_ms", 2000),
            ("without_hedging_calls", plain.Calls), ("without_hedging_p99_ms", plain.P99.TotalMilliseconds.ToString("0.0")), ("without_hedging_max_ms", plain.Max.TotalMilliseconds.ToString("0")), ("without_hedging_calls_over_1s", plain.OverOneSecond), ("without_hedging_attempts_to_slow_node", plain.ToSlow));

        Assert.Equal(0, hedged.Failed);
        Assert.True(hedged.P99 < TimeSpan.FromMilliseconds(50), $"hedged p99 {hedged.P99.TotalMilliseconds:0.0} ms");
        Assert.True(extra < 0.10, $"extra attempts {extra:P1} of calls");
        Assert.True(hedged.Attempts > hedged.Calls, "no call was hedged: this measured ejection alone");
        Assert.True(plain.Max > TimeSpan.FromSeconds(1), "without hedging the calls that went to the slow node should have waited for it; the comparison measured nothing");
    }

    /// <summary>Eight workers call the service until <paramref name="ended"/> calls have ended; counts calls and attempts.</summary>
    private static async Task<(int Calls, int Attempts, int Failed)> LoadAsync(IRegistry registry, ClientOptions options, int ended, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        await using var selector = new RegistrySelector(registry);
        await using var transport = new RecordingTransport(new TcpTransport(), clock);
        var client = new MicroClient(selector, transport, options: options);
        var load = Load.Start(client, "down", workers: 8);
        await load.RunForEndedAsync(ended, limit);
        await load.StopAsync();
        Assert.Equal(0, load.Succeeded);
        return (load.Ended, transport.Attempts.Count, transport.Attempts.Count(a => a.Failed));
    }

    /// <summary>An idempotent lookup answering after <paramref name="delay"/>.</summary>
    public sealed class Catalog(TimeSpan delay)
    {
        [Idempotent]
        public async Task<HelloResponse> Get(HelloRequest request, CancellationToken cancellationToken)
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken);
            }

            return new HelloResponse($"Hello {request.Name}");
        }
    }

    /// <summary>A Greeter whose work needs one of <paramref name="slots"/> slots for <paramref name="work"/>: its capacity is slots / work.</summary>
    public sealed class PooledGreeter(int slots, TimeSpan work)
    {
        private readonly SemaphoreSlim _pool = new(slots);

        public async Task<HelloResponse> Hello(HelloRequest request, CancellationToken cancellationToken)
        {
            await _pool.WaitAsync(cancellationToken);
            try
            {
                await Task.Delay(work, cancellationToken);
            }
            finally
            {
                _pool.Release();
            }

            return new HelloResponse($"Hello {request.Name}");
        }
    }

    /// <summary>
    /// Calls at a fixed rate whatever the answers (an open loop, as real traffic is), and what came of them: goodput is the
    /// calls that succeeded within the run, per second; latency is of calls started after its first second (the limit's
    /// convergence), and of all calls.
    /// </summary>
    private sealed record OpenLoop(double GoodputPerSecond, int Refused, int OtherErrors, string? FirstError, TimeSpan AdmittedP99, TimeSpan AdmittedP99All, int MaxInFlight)
    {
        public static async Task<OpenLoop> RunAsync(IMicroClient client, string service, double perSecond, TimeSpan duration, Func<int> serverInFlight)
        {
            var body = System.Text.Encoding.UTF8.GetBytes("""{"name":"open"}""");
            var ok = new System.Collections.Concurrent.ConcurrentQueue<(TimeSpan Started, TimeSpan Latency)>();
            var refused = 0;
            var other = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var calls = new List<Task>();
            var maxInFlight = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                var due = (int)(clock.Elapsed.TotalSeconds * perSecond);
                while (calls.Count < due)
                {
                    calls.Add(Task.Run(async () =>
                    {
                        var started = clock.Elapsed;
                        try
                        {
                            await client.CallAsync(new MicroRequest(service, "PooledGreeter.Hello", body, "application/json"));
                            ok.Enqueue((started, clock.Elapsed - started));
                        }
                        catch (MicroException e) when (e.Code == 503)
                        {
                            Interlocked.Increment(ref refused);
                        }
                        catch (MicroException e)
                        {
                            other.Enqueue($"{e.Code} {e.Detail}");
                        }
                    }));
                }

                maxInFlight = Math.Max(maxInFlight, serverInFlight());
                await Task.Delay(1);
            }

            await Task.WhenAll(calls);
            var withinRun = ok.Count(o => o.Started + o.Latency <= duration);
            return new OpenLoop(withinRun / duration.TotalSeconds, refused, other.Count, other.FirstOrDefault(),
                Load.Percentile(ok.Where(o => o.Started >= TimeSpan.FromSeconds(1)).Select(o => o.Latency), 0.99), Load.Percentile(ok.Select(o => o.Latency), 0.99), maxInFlight);
        }
    }

    /// <summary>A loopback port nothing listens on: bound, then released.</summary>
    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}

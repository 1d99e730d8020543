using System.Diagnostics;
using Micro.Client;
using Micro.Registry;
using Micro.Selector;
using Micro.Server;
using Micro.Transport.Tcp;
using Xunit.Abstractions;

namespace Micro.FaultTests;

/// <summary>Answers like the Greeter example (Greeter.Hello, with the node id) after an optional delay; fails <paramref name="failPerTen"/> of every ten calls with a 500.</summary>
public sealed class Greeter(TimeSpan delay, int failPerTen = 0)
{
    private int _calls;

    public async Task<HelloResponse> Hello(HelloRequest request, CancellationToken cancellationToken)
    {
        if (failPerTen > 0 && Interlocked.Increment(ref _calls) % 10 < failPerTen)
        {
            throw MicroException.InternalServerError("greeter", "injected failure");
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken);
        }

        if (CallContext.Current is { } call)
        {
            call.ResponseMetadata["X-Node-Id"] = call.NodeId;
        }

        return new HelloResponse($"Hello {request.Name}");
    }
}

/// <summary>Servers on loopback TCP; faults injected by latency and by a proxy in front of one node.</summary>
public sealed class NetworkFaultTests(ITestOutputHelper output)
{
    private static async Task<MicroServer> ServeAsync(TestKit kit, string name, TimeSpan delay, string? advertise = null, string id = "")
    {
        var options = ServerOptions.Default with { Name = name, Advertise = advertise, Id = id.Length == 0 ? null : id };
        var server = await kit.StartServerAsync(name, new Greeter(delay), options);
        return server;
    }

    [Fact]
    public async Task A_slow_node_among_fast_ones_costs_one_short_attempt_not_the_callers_time()
    {
        var clock = Stopwatch.StartNew();
        await using var kit = new TestKit(new MemoryRegistry());
        var slow = await ServeAsync(kit, "slow-pool", TimeSpan.FromSeconds(2));
        await ServeAsync(kit, "slow-pool", TimeSpan.Zero);
        await ServeAsync(kit, "slow-pool", TimeSpan.Zero);
        await using var caller = new Caller(kit, clock, blacklistFor: TimeSpan.FromSeconds(5), retries: 2, attemptTimeout: TimeSpan.FromMilliseconds(250));
        var (client, transport) = (caller.Client, caller.Transport);

        var load = Load.Start(client, "slow-pool", workers: 8);
        await load.RunForAsync(3000, TimeSpan.FromSeconds(60));
        await load.StopAsync();
        var toSlow = transport.Attempts.Count(a => a.Address == slow.AdvertisedAddress);
        var calls = load.Succeeded + load.Failures.Count;
        Figures.Print(output, "slow-node", ("calls", calls), ("failed", load.Failures.Count), ("retried", transport.Attempts.Count - calls),
            ("attempts_to_slow_node", toSlow), ("p50_ms", load.Percentile(0.50).TotalMilliseconds.ToString("0.0")),
            ("p99_ms", load.Percentile(0.99).TotalMilliseconds.ToString("0.0")), ("max_ms", load.Percentile(1).TotalMilliseconds.ToString("0.0")),
            ("slow_node_latency_ms", 2000), ("attempt_timeout_ms", 250));

        Assert.True(load.Failures.Count == 0, string.Join("\n", load.Failures.Take(5)));
        Assert.True(toSlow > 0, "the slow node was never tried, so this measured nothing");
        // No successful call waited for the slow node: at worst one 250 ms attempt, then a fast node.
        Assert.True(load.Percentile(0.99) < TimeSpan.FromSeconds(2), $"p99 {load.Percentile(0.99).TotalMilliseconds:0} ms");
        Assert.DoesNotContain(load.AnsweredBy, n => n == slow.Id);
    }

    [Fact]
    public async Task A_proxy_that_delays_truncates_drops_and_blackholes_one_node_loses_no_call()
    {
        var clock = Stopwatch.StartNew();
        await using var kit = new TestKit(new MemoryRegistry());
        // The faulty node registers the proxy's address, so every caller reaches it through the proxy.
        await using var proxy = new FaultProxy("127.0.0.1:1");
        var faulty = await ServeAsync(kit, "proxied", TimeSpan.Zero, advertise: proxy.Address, id: "behind-proxy");
        proxy.Target = faulty.Address;
        await ServeAsync(kit, "proxied", TimeSpan.Zero, id: "direct-1");
        await ServeAsync(kit, "proxied", TimeSpan.Zero, id: "direct-2");
        // A short blacklist so the faulty node keeps being retried and each fault is really exercised.
        await using var caller = new Caller(kit, clock, blacklistFor: TimeSpan.FromMilliseconds(200), retries: 3, attemptTimeout: TimeSpan.FromMilliseconds(500));
        var (client, transport) = (caller.Client, caller.Transport);

        var load = Load.Start(client, "proxied", workers: 4);
        var faults = new[] { Fault.None, Fault.Delay, Fault.Truncate, Fault.Drop, Fault.Blackhole, Fault.None };
        var perFault = new List<(string Name, object Value)>();
        foreach (var fault in faults)
        {
            var before = transport.Attempts.Count(a => a.Address == proxy.Address && a.Failed);
            proxy.Fault = fault;
            await Task.Delay(TimeSpan.FromSeconds(1.5)); // by time: the node may sit out a blacklist period in each phase
            perFault.Add(($"failed_attempts_{fault.ToString().ToLowerInvariant()}", transport.Attempts.Count(a => a.Address == proxy.Address && a.Failed) - before));
        }

        await load.StopAsync();
        var calls = load.Succeeded + load.Failures.Count;
        Figures.Print(output, "fault-proxy", [("calls", calls), ("failed", load.Failures.Count), ("retried", transport.Attempts.Count - calls),
            ("proxy_connections", proxy.Connections), ("dropped", proxy.Dropped), ("truncated", proxy.Truncated), .. perFault]);

        Assert.True(load.Failures.Count == 0, string.Join("\n", load.Failures.Take(5)));
        Assert.True(proxy.Truncated > 0, "no reply was truncated, so the truncation fault measured nothing");
        Assert.True(proxy.Dropped > 0, "no connection was dropped");
        Assert.Contains(load.AnsweredBy, n => n == "behind-proxy"); // the node was used when the proxy let it through
    }

    /// <summary>
    /// A client for these tests: round robin, a node blacklisted after one failure for <c>blacklistFor</c>, 5 s per
    /// call, each attempt at most <c>attemptTimeout</c>; every attempt recorded.
    /// </summary>
    private sealed class Caller(TestKit kit, Stopwatch clock, TimeSpan blacklistFor, int retries, TimeSpan attemptTimeout) : IAsyncDisposable
    {
        private readonly RegistrySelector _selector = new(kit.Registry, new RoundRobinStrategy(), SelectorOptions.Default with { EjectAfterFailures = 1, EjectionTime = blacklistFor });

        public RecordingTransport Transport { get; } = new(new TcpTransport(), clock);

        public MicroClient Client => field ??= new MicroClient(_selector, Transport, options: ClientOptions.Default with
        {
            Retries = retries,
            RequestTimeout = TimeSpan.FromSeconds(5),
            AttemptTimeout = attemptTimeout,
        });

        public async ValueTask DisposeAsync()
        {
            await _selector.DisposeAsync();
            await Transport.DisposeAsync();
        }
    }
}

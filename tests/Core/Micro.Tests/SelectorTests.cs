using Micro.Registry;
using Micro.Selector;
using Microsoft.Extensions.Time.Testing;

namespace Micro.Tests;

public sealed class SelectorTests
{
    private static async Task<MemoryRegistry> RegistryWith(string service, int nodes, TimeProvider? time = null)
    {
        var registry = new MemoryRegistry(time);
        await registry.RegisterAsync(new Service
        {
            Name = service,
            Nodes = Enumerable.Range(0, nodes).Select(i => new Node { Id = $"n{i}", Address = $"127.0.0.1:{1000 + i}" }).ToArray(),
        }, TimeSpan.FromMinutes(5));
        return registry;
    }

    private static async Task<Dictionary<string, int>> Count(ISelector selector, string service, int calls, Func<int, SelectRequest>? request = null)
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < calls; i++)
        {
            var node = await selector.SelectAsync(service, request?.Invoke(i) ?? default);
            counts[node.Id] = counts.GetValueOrDefault(node.Id) + 1;
        }

        return counts;
    }

    [Fact]
    public async Task Random_spreads_calls_over_every_node()
    {
        await using var registry = await RegistryWith("svc", 4);
        await using var selector = new RegistrySelector(registry, new RandomStrategy());
        var counts = await Count(selector, "svc", 8000);
        Assert.Equal(4, counts.Count);
        // Expected 2000 each; 1700 is over 7 standard deviations below, so this cannot fail by chance.
        Assert.All(counts.Values, c => Assert.InRange(c, 1700, 2300));
    }

    [Fact]
    public async Task Round_robin_rotates_across_separate_requests()
    {
        await using var registry = await RegistryWith("svc", 3);
        await using var selector = new RegistrySelector(registry, new RoundRobinStrategy());
        var sequence = new List<string>();
        for (var i = 0; i < 9; i++)
        {
            sequence.Add((await selector.SelectAsync("svc", default)).Id);
        }

        // Every window of three consecutive requests visits all three nodes, in a fixed cycle.
        for (var i = 0; i + 3 <= sequence.Count; i++)
        {
            Assert.Equal(3, sequence.Skip(i).Take(3).Distinct().Count());
        }

        Assert.Equal(sequence[0], sequence[3]);
        Assert.Equal(sequence[1], sequence[4]);
    }

    [Fact]
    public async Task Hashed_keeps_a_key_on_one_node_and_moves_about_one_in_n_plus_one_keys_when_a_node_joins()
    {
        const int keys = 20000;
        var strategy = new HashedStrategy();
        SelectableNode[] Nodes(int n) => RegistrySelector.Flatten([new Service { Name = "svc", Nodes = Enumerable.Range(0, n).Select(i => new Node { Id = $"node-{i}", Address = $"127.0.0.1:{2000 + i}" }).ToArray() }]);
        var before = Nodes(4);
        var after = Nodes(5);
        var moved = 0;
        var perNode = new Dictionary<string, int>();
        for (var k = 0; k < keys; k++)
        {
            var key = "user-" + k;
            var a = strategy.Pick("svc", before, new SelectRequest(Key: key)).Id;
            Assert.Equal(a, strategy.Pick("svc", before, new SelectRequest(Key: key)).Id); // stable
            var b = strategy.Pick("svc", after, new SelectRequest(Key: key)).Id;
            perNode[a] = perNode.GetValueOrDefault(a) + 1;
            if (a != b)
            {
                moved++;
                Assert.Equal("node-4", b); // keys only move to the new node
            }
        }

        var fraction = moved / (double)keys;
        Assert.InRange(fraction, 0.20 * 0.6, 0.20 * 1.4); // ideal 1/(N+1) = 0.2
        Assert.All(perNode.Values, c => Assert.InRange(c, keys / 4 * 0.6, keys / 4 * 1.4)); // virtual nodes spread load
    }

    /// <summary>One attempt to the named node, ended with <paramref name="outcome"/>, as the client's node-marking stage reports it.</summary>
    internal static async Task Report(RegistrySelector selector, string service, string id, NodeOutcome outcome, TimeSpan elapsed = default)
    {
        var node = (await selector.GetNodesAsync(service)).Single(n => n.Id == id);
        node.Stats.Begin();
        selector.Report(service, node, outcome, elapsed);
    }

    [Fact]
    public async Task Blacklist_skips_a_node_after_three_failures_and_returns_it_after_thirty_seconds()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var registry = await RegistryWith("svc", 2, time);
        await using var selector = new RegistrySelector(registry, new RoundRobinStrategy(), timeProvider: time);
        await Report(selector, "svc", "n0", NodeOutcome.Failure);
        await Report(selector, "svc", "n0", NodeOutcome.Failure);
        Assert.Contains("n0", (await Count(selector, "svc", 20)).Keys); // two failures: still chosen

        await Report(selector, "svc", "n0", NodeOutcome.Failure);
        var counts = await Count(selector, "svc", 50);
        Assert.Equal(["n1"], counts.Keys);

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(["n1"], (await Count(selector, "svc", 20)).Keys);

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(2, (await Count(selector, "svc", 20)).Count);
    }

    [Fact]
    public async Task A_success_resets_the_failure_count()
    {
        await using var registry = await RegistryWith("svc", 2);
        await using var selector = new RegistrySelector(registry, new RoundRobinStrategy());
        await Report(selector, "svc", "n0", NodeOutcome.Failure);
        await Report(selector, "svc", "n0", NodeOutcome.Failure);
        await Report(selector, "svc", "n0", NodeOutcome.Success);
        await Report(selector, "svc", "n0", NodeOutcome.Failure);
        Assert.Equal(2, (await Count(selector, "svc", 10)).Count);
    }

    [Fact]
    public async Task Filters_select_by_version_metadata_and_endpoint()
    {
        await using var registry = new MemoryRegistry();
        await registry.RegisterAsync(new Service { Name = "svc", Version = "1", Endpoints = [new Endpoint { Name = "A.Old" }], Nodes = [new Node { Id = "v1", Address = "127.0.0.1:1", Metadata = new Dictionary<string, string> { ["zone"] = "a" } }] }, TimeSpan.FromMinutes(1));
        await registry.RegisterAsync(new Service { Name = "svc", Version = "2", Endpoints = [new Endpoint { Name = "A.New" }], Nodes = [new Node { Id = "v2", Address = "127.0.0.1:2", Metadata = new Dictionary<string, string> { ["zone"] = "b" } }] }, TimeSpan.FromMinutes(1));
        await using var selector = new RegistrySelector(registry);
        Assert.Equal(["v1"], (await Count(selector, "svc", 20, _ => new SelectRequest(Filter: new SelectFilter { Version = "1" }))).Keys);
        Assert.Equal(["v2"], (await Count(selector, "svc", 20, _ => new SelectRequest(Filter: new SelectFilter { NodeMetadata = new Dictionary<string, string> { ["zone"] = "b" } }))).Keys);
        Assert.Equal(["v1"], (await Count(selector, "svc", 20, _ => new SelectRequest(Filter: new SelectFilter { Endpoint = "A.Old" }))).Keys);
        var e = await Assert.ThrowsAsync<MicroException>(async () => await selector.SelectAsync("svc", new SelectRequest(Filter: new SelectFilter { Version = "3" })));
        Assert.Equal(404, e.Code);
    }

    [Fact]
    public async Task Selection_reads_the_cache_and_the_watch_keeps_it_fresh()
    {
        var registry = new CountingRegistry(new MemoryRegistry(pollInterval: TimeSpan.FromMilliseconds(20)));
        await using var _ = registry;
        await registry.RegisterAsync(new Service { Name = "svc", Nodes = [new Node { Id = "a", Address = "127.0.0.1:1" }] }, TimeSpan.FromMinutes(1));
        await using var selector = new RegistrySelector(registry);
        for (var i = 0; i < 100; i++)
        {
            await selector.SelectAsync("svc", default);
        }

        // One read, at most one more when the watch starts (entries cached before it are re-read once), then the cache.
        Assert.InRange(registry.Gets, 1, 2);

        await registry.RegisterAsync(new Service { Name = "svc", Nodes = [new Node { Id = "b", Address = "127.0.0.1:2" }] }, TimeSpan.FromMinutes(1));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await selector.GetNodesAsync("svc")).Length < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the watch never brought the new node into the cache");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task No_nodes_is_a_404_naming_the_service()
    {
        await using var registry = new MemoryRegistry();
        await using var selector = new RegistrySelector(registry);
        var e = await Assert.ThrowsAsync<MicroException>(async () => await selector.SelectAsync("missing", default));
        Assert.Equal(404, e.Code);
        Assert.Contains("missing", e.Detail);
    }

    [Fact]
    public async Task A_watch_that_ends_by_itself_is_restarted_after_a_pause_not_in_a_spin()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var registry = new EndingWatchRegistry(await RegistryWith("svc", 1));
        await using var selector = new RegistrySelector(registry, timeProvider: time);
        await selector.SelectAsync("svc", default);
        await WaitUntil(() => registry.Watches >= 1);
        await Task.Delay(200); // a spinning loop would start thousands of watches here
        Assert.Equal(1, registry.Watches);
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => registry.Watches >= 2);
        Assert.Equal(2, registry.Watches);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "condition not met within 5 s");
    }

    /// <summary>A registry whose watch ends at once, as one does when its registry is disposed under it.</summary>
    private sealed class EndingWatchRegistry(IRegistry inner) : DelegatingRegistry(inner)
    {
        public int Watches;

        public override IAsyncEnumerable<RegistryEvent> WatchAsync(string? service, Action? established, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Watches);
            return AsyncEnumerable.Empty<RegistryEvent>();
        }
    }

    private sealed class CountingRegistry(IRegistry inner) : DelegatingRegistry(inner)
    {
        public int Gets;

        public override ValueTask<IReadOnlyList<Service>> GetServiceAsync(string name, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Gets);
            return Inner.GetServiceAsync(name, cancellationToken);
        }
    }
}

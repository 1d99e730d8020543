using Micro.Registry;
using Micro.Selector;
using Microsoft.Extensions.Time.Testing;

namespace Micro.Tests;

/// <summary>What the selector learns from attempts: p2c by load, outlier ejection, per-node circuits, bounded state.</summary>
public sealed class NodeHealthTests
{
    private static async Task<(MemoryRegistry Registry, RegistrySelector Selector)> ThreeNodes(FakeTimeProvider time, ISelectionStrategy? strategy = null, SelectorOptions? options = null, int count = 3)
    {
        var registry = new MemoryRegistry(time);
        await registry.RegisterAsync(new Service { Name = "svc", Nodes = Enumerable.Range(0, count).Select(i => new Node { Id = $"n{i}", Address = $"127.0.0.1:{1000 + i}" }).ToArray() }, TimeSpan.FromHours(1));
        return (registry, new RegistrySelector(registry, strategy ?? new RoundRobinStrategy(), options, time));
    }

    /// <summary>Selects and reports <paramref name="calls"/> attempts; <paramref name="answer"/> says how each node does.</summary>
    private static async Task<Dictionary<string, int>> Run(RegistrySelector selector, int calls, Func<string, int, (NodeOutcome, TimeSpan)> answer)
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < calls; i++)
        {
            var node = await selector.SelectAsync("svc", default);
            counts[node.Id] = counts.GetValueOrDefault(node.Id) + 1;
            var (outcome, elapsed) = answer(node.Id, i);
            selector.Report("svc", node, outcome, elapsed);
        }

        return counts;
    }

    private static async Task<NodeStats> StatsOf(RegistrySelector selector, string id) => (await selector.GetNodesAsync("svc")).Single(n => n.Id == id).Stats;

    [Fact]
    public async Task P2c_sends_nothing_to_a_node_ten_times_slower_once_it_knows_and_balances_the_others()
    {
        var time = new FakeTimeProvider();
        var (registry, selector) = await ThreeNodes(time, new PowerOfTwoChoicesStrategy(), SelectorOptions.Default with { LatencyOutlier = 0 });
        await using var _ = registry;
        await using var __ = selector;
        var counts = await Run(selector, 3000, (id, _) => (NodeOutcome.Success, TimeSpan.FromMilliseconds(id == "n0" ? 10 : 1)));
        Assert.True(counts.GetValueOrDefault("n0") <= 2 * NodeStats.WarmAnswers, $"the slow node got {counts.GetValueOrDefault("n0")} of 3000 (only while it or the others were still warming up)");
        Assert.InRange(counts["n1"], 1200, 1800);
        Assert.Equal(TimeSpan.FromMilliseconds(10), (await StatsOf(selector, "n0")).Latency);
    }

    [Fact]
    public async Task P2c_is_not_thrown_by_a_fast_nodes_slow_first_answer_nor_by_one_pause_later()
    {
        // No time passes on the fake clock, so nothing decays: a fast node that looked slow once would stay out, and the
        // slow node would take a third of the calls (every pairing of the two). That is what CI saw for seconds at a time.
        var time = new FakeTimeProvider();
        var (registry, selector) = await ThreeNodes(time, new PowerOfTwoChoicesStrategy(), SelectorOptions.Default with { LatencyOutlier = 0 });
        await using var _ = registry;
        await using var __ = selector;
        var firstOfN1 = true;
        var counts = await Run(selector, 3000, (id, _) =>
        {
            var ms = id == "n0" ? 10 : 1;
            if (id == "n1" && firstOfN1)
            {
                (firstOfN1, ms) = (false, 20); // a connection set up, code compiled
            }

            return (NodeOutcome.Success, TimeSpan.FromMilliseconds(ms));
        });
        Assert.True(counts.GetValueOrDefault("n0") <= 2 * NodeStats.WarmAnswers, $"after n1's slow first answer the slow node got {counts.GetValueOrDefault("n0")} of 3000");
        Assert.InRange(counts["n1"], 900, 1800); // at least every pairing with the slow node: n1 is not kept out

        var paused = false;
        var later = await Run(selector, 3000, (id, i) =>
        {
            var ms = id == "n0" ? 10 : 1;
            if (id == "n2" && !paused)
            {
                (paused, ms) = (true, 100); // one collection or descheduled thread
            }

            return (NodeOutcome.Success, TimeSpan.FromMilliseconds(ms));
        });
        Assert.True(paused);
        Assert.True(later.GetValueOrDefault("n0") <= 2, $"after one 100 ms answer of n2 the slow node got {later.GetValueOrDefault("n0")} of 3000");
        Assert.InRange(later["n2"], 900, 1800); // at least every pairing with the slow node: n2 is not kept out
    }

    [Fact]
    public async Task P2c_prefers_the_node_with_fewer_attempts_in_flight_when_latency_is_equal()
    {
        var time = new FakeTimeProvider();
        // Two nodes, so both are always the two choices and the outcome is exact (of three, the idle one is among the
        // two drawn two times in three).
        var (registry, selector) = await ThreeNodes(time, new PowerOfTwoChoicesStrategy(), count: 2);
        await using var _ = registry;
        await using var __ = selector;
        await Run(selector, 300, (_, _) => (NodeOutcome.Success, TimeSpan.FromMilliseconds(1)));
        var busy = new List<SelectableNode>();
        for (var i = 0; i < 30; i++)
        {
            busy.Add(await selector.SelectAsync("svc", default)); // never ended: in flight
        }

        var inFlight = (await selector.GetNodesAsync("svc")).Select(n => n.Stats.InFlight).ToArray();
        Assert.Equal(30, inFlight.Sum());
        Assert.True(inFlight.Max() - inFlight.Min() <= 1, $"in flight per node: {string.Join(", ", inFlight)}: p2c spreads open attempts evenly");
        foreach (var node in busy)
        {
            selector.Report("svc", node, NodeOutcome.Abandoned, TimeSpan.Zero);
        }

        Assert.All(await selector.GetNodesAsync("svc"), n => Assert.Equal(0, n.Stats.InFlight));
    }

    [Fact]
    public async Task A_node_failing_30_percent_is_ejected_at_the_next_comparison_while_the_others_keep_serving()
    {
        var time = new FakeTimeProvider();
        var (registry, selector) = await ThreeNodes(time, options: SelectorOptions.Default with { EjectAfterFailures = 0 }); // success rate alone
        await using var _ = registry;
        await using var __ = selector;
        await Run(selector, 300, (id, i) => (id == "n0" && i % 10 < 3 ? NodeOutcome.Failure : NodeOutcome.Success, TimeSpan.FromMilliseconds(1)));
        Assert.False((await StatsOf(selector, "n0")).IsEjected); // the first comparison ran at the first report, before any counts

        time.Advance(TimeSpan.FromSeconds(1));
        await Run(selector, 1, (_, _) => (NodeOutcome.Success, TimeSpan.FromMilliseconds(1)));
        Assert.True((await StatsOf(selector, "n0")).IsEjected);
        var after = await Run(selector, 60, (_, _) => (NodeOutcome.Success, TimeSpan.FromMilliseconds(1)));
        Assert.Equal(["n1", "n2"], after.Keys.Order());
    }

    [Fact]
    public async Task A_service_wide_failure_ejects_nobody_by_success_rate_and_at_most_half_by_consecutive_failures()
    {
        var time = new FakeTimeProvider();
        var (registry, selector) = await ThreeNodes(time);
        await using var _ = registry;
        await using var __ = selector;
        await Run(selector, 300, (_, _) => (NodeOutcome.Failure, TimeSpan.FromMilliseconds(1)));
        time.Advance(TimeSpan.FromSeconds(1));
        await Run(selector, 3, (_, _) => (NodeOutcome.Failure, TimeSpan.FromMilliseconds(1)));
        var ejected = (await selector.GetNodesAsync("svc")).Count(n => n.Stats.IsEjected);
        Assert.Equal(1, ejected); // 50% of three, rounded down: the other two carry on
    }

    [Fact]
    public async Task An_ejected_node_gets_one_probe_when_its_time_is_up_and_each_failed_probe_ejects_it_for_longer()
    {
        var time = new FakeTimeProvider();
        var (registry, selector) = await ThreeNodes(time, options: SelectorOptions.Default with { OutlierInterval = TimeSpan.Zero });
        await using var _ = registry;
        await using var __ = selector;
        for (var i = 0; i < 3; i++)
        {
            await SelectorTests.Report(selector, "svc", "n0", NodeOutcome.Failure);
        }

        var n0 = await StatsOf(selector, "n0");
        Assert.True(n0.IsEjected);
        Assert.Equal(1, n0.Ejections);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.DoesNotContain("n0", (await Run(selector, 30, (_, _) => (NodeOutcome.Success, TimeSpan.Zero))).Keys);

        // Half-open: of many selections while the probe is out, one goes to n0.
        time.Advance(TimeSpan.FromSeconds(2));
        var probes = new List<SelectableNode>();
        for (var i = 0; i < 30; i++)
        {
            probes.Add(await selector.SelectAsync("svc", default));
        }

        var probe = Assert.Single(probes, n => n.Id == "n0");
        foreach (var other in probes.Where(n => n.Id != "n0"))
        {
            selector.Report("svc", other, NodeOutcome.Success, TimeSpan.Zero);
        }

        selector.Report("svc", probe, NodeOutcome.Failure, TimeSpan.Zero); // the probe fails: out again, for twice as long
        Assert.Equal(2, n0.Ejections);
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.DoesNotContain("n0", (await Run(selector, 30, (_, _) => (NodeOutcome.Success, TimeSpan.Zero))).Keys);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Contains("n0", (await Run(selector, 30, (_, _) => (NodeOutcome.Success, TimeSpan.Zero))).Keys); // its probe succeeds: back
        Assert.False(n0.IsEjected);
        Assert.Equal(10, (await Run(selector, 30, (_, _) => (NodeOutcome.Success, TimeSpan.Zero)))["n0"]);
    }

    [Fact]
    public async Task A_node_far_slower_than_the_median_is_ejected_but_not_one_merely_slower_under_the_floor()
    {
        var time = new FakeTimeProvider();
        var (registry, selector) = await ThreeNodes(time, options: SelectorOptions.Default with { EjectAfterFailures = 0 });
        await using var _ = registry;
        await using var __ = selector;
        await Run(selector, 30, (id, _) => (NodeOutcome.Success, TimeSpan.FromMilliseconds(id == "n0" ? 50 : 1)));
        time.Advance(TimeSpan.FromSeconds(1));
        await Run(selector, 1, (_, _) => (NodeOutcome.Success, TimeSpan.FromMilliseconds(1)));
        Assert.False((await StatsOf(selector, "n0")).IsEjected); // 50x the median, but under 100 ms

        await Run(selector, 30, (id, _) => (NodeOutcome.Success, TimeSpan.FromMilliseconds(id == "n0" ? 500 : 1)));
        time.Advance(TimeSpan.FromSeconds(1));
        await Run(selector, 1, (_, _) => (NodeOutcome.Success, TimeSpan.FromMilliseconds(1)));
        Assert.True((await StatsOf(selector, "n0")).IsEjected);
    }

    [Fact]
    public async Task Names_nobody_serves_are_not_cached_and_nodes_that_leave_are_forgotten()
    {
        var time = new FakeTimeProvider();
        var (registry, selector) = await ThreeNodes(time);
        await using var _ = registry;
        await using var __ = selector;
        await selector.GetNodesAsync("svc");
        for (var i = 0; i < 500; i++)
        {
            await Assert.ThrowsAsync<MicroException>(async () => await selector.SelectAsync($"nobody-{i}", default));
        }

        Assert.Equal(1, selector.CachedServices);
        Assert.Equal(3, selector.TrackedNodes);

        await registry.DeregisterAsync(new Service { Name = "svc", Nodes = [new Node { Id = "n0", Address = "127.0.0.1:1000" }] });
        for (var i = 0; i < 500 && (await selector.GetNodesAsync("svc")).Length != 2; i++)
        {
            await Task.Delay(10); // the watch delivers the change on its own thread
        }

        Assert.Equal(2, (await selector.GetNodesAsync("svc")).Length);
        Assert.Equal(2, selector.TrackedNodes);
    }
}

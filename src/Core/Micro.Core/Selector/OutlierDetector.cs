using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Micro.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Micro.Selector;

/// <summary>
/// Ejects nodes that do worse than their service's others (Envoy's outlier detection), each node's ejection being a
/// circuit: closed while healthy; open while ejected (skipped by every strategy); half-open when its ejection time is
/// over, when one probe may go to it: a success closes it, a failure ejects it again for longer. A node is ejected on
/// <see cref="SelectorOptions.EjectAfterFailures"/> consecutive failures at once, and, when its service is compared
/// every <see cref="SelectorOptions.OutlierInterval"/>, for a success rate or a latency far from the service's median.
/// Never more than <see cref="SelectorOptions.MaxEjectedShare"/> of a service's nodes are out; an ejection lasts
/// <see cref="SelectorOptions.EjectionTime"/> times the node's ejections so far (one fewer for each ejection time it
/// stayed healthy). A small state machine of its own rather than Polly's circuit breaker: its decisions depend on the
/// node's siblings (the median, the share ejected), and it costs two interlocked operations per attempt.
/// </summary>
internal sealed class OutlierDetector(SelectorOptions options, NodeClock clock, ILogger logger)
{
    private static readonly Counter<long> Ejections = MicroTelemetry.Meter.CreateCounter<long>("micro.selector.ejections", "{ejection}", "Nodes ejected by the selector, by reason.");

    private readonly ConcurrentDictionary<string, ServiceState> _services = new(StringComparer.Ordinal);
    private readonly long _interval = clock.Ticks(options.OutlierInterval);
    private int _ejected; // nodes ejected across services: 0 lets selection skip the health filter

    public bool AnyEjected => Volatile.Read(ref _ejected) > 0;

    /// <summary>True when the node may be chosen now: not ejected, or half-open with no probe out.</summary>
    public bool IsAvailable(NodeStats node, long now)
    {
        var until = Volatile.Read(ref node.EjectedUntil);
        if (until == 0)
        {
            return true;
        }

        var claimed = Volatile.Read(ref node.ProbeClaimedAt);
        return now >= until && (claimed == 0 || now - claimed > clock.Ticks(options.EjectionTime)); // a lost probe does not keep it out for ever
    }

    /// <summary>A chosen node that is half-open: this attempt is its probe, and no other goes until it ends.</summary>
    public void OnChosen(NodeStats node, long now)
    {
        if (Volatile.Read(ref node.EjectedUntil) is var until && until != 0 && now >= until)
        {
            Volatile.Write(ref node.ProbeClaimedAt, now);
        }
    }

    public void Report(string service, SelectableNode node, NodeOutcome outcome, long elapsedTicks, SelectableNode[] siblings)
    {
        var now = clock.Now();
        var stats = node.Stats;
        var failures = stats.End(outcome, elapsedTicks, now);
        var until = Volatile.Read(ref stats.EjectedUntil);
        if (until != 0 && now >= until && outcome is NodeOutcome.Success or NodeOutcome.Failure or NodeOutcome.Slow)
        {
            // The probe of a half-open node: it returns, or goes out again for longer.
            var state = StateOf(service);
            lock (state)
            {
                if (outcome == NodeOutcome.Success)
                {
                    Return(service, node, now);
                }
                else
                {
                    EjectLocked(service, node, now, "its probe failed");
                }
            }
        }
        else if (outcome is NodeOutcome.Failure or NodeOutcome.Slow && until == 0 && options.EjectAfterFailures > 0 && failures >= options.EjectAfterFailures)
        {
            var state = StateOf(service);
            lock (state)
            {
                TryEjectLocked(service, node, siblings, now, $"{failures} consecutive failures");
            }
        }

        if (_interval > 0 && now >= Volatile.Read(ref StateOf(service).NextEvaluation))
        {
            Evaluate(service, siblings, now);
        }
    }

    /// <summary>Compares the service's nodes over the interval just ended: success rate, then latency, against the median.</summary>
    private void Evaluate(string service, SelectableNode[] nodes, long now)
    {
        var state = StateOf(service);
        lock (state)
        {
            if (now < state.NextEvaluation)
            {
                return; // another report evaluated it meanwhile
            }

            state.NextEvaluation = now + _interval;
            // Only nodes with enough attempts in the interval are judged, on either count: one slow first answer (a
            // connection set up, code compiled) must not eject a node.
            var rates = new List<(SelectableNode Node, double Rate)>(nodes.Length);
            foreach (var node in nodes)
            {
                var (requests, failures) = node.Stats.TakeInterval();
                if (requests >= options.OutlierMinRequests && !node.Stats.IsEjected)
                {
                    rates.Add((node, 1 - ((double)failures / requests)));
                }
            }

            if (options.SuccessRateOutlier > 0 && rates.Count >= 2)
            {
                var median = Median(rates.ConvertAll(r => r.Rate));
                foreach (var (node, rate) in rates)
                {
                    if (rate < options.SuccessRateOutlier * median)
                    {
                        TryEjectLocked(service, node, nodes, now, $"success rate {rate:P0} against the service's median {median:P0}");
                    }
                }
            }

            if (options.LatencyOutlier > 0)
            {
                var costs = new List<(SelectableNode Node, double Cost)>(rates.Count);
                foreach (var (node, _) in rates)
                {
                    if (node.Stats.Cost(now) is > 0 and var cost)
                    {
                        costs.Add((node, cost));
                    }
                }

                if (costs.Count >= 2)
                {
                    var median = Median(costs.ConvertAll(c => c.Cost));
                    var floor = clock.Ticks(options.LatencyOutlierMin);
                    foreach (var (node, cost) in costs)
                    {
                        if (cost > options.LatencyOutlier * median && cost > floor)
                        {
                            TryEjectLocked(service, node, nodes, now, $"latency {clock.ToTimeSpan(cost).TotalMilliseconds:0.#} ms against the service's median {clock.ToTimeSpan(median).TotalMilliseconds:0.#} ms");
                        }
                    }
                }
            }
        }
    }

    /// <summary>Ejects the node unless that would put more than the allowed share of the service's nodes out.</summary>
    private void TryEjectLocked(string service, SelectableNode node, SelectableNode[] siblings, long now, string reason)
    {
        if (node.Stats.IsEjected)
        {
            return;
        }

        var ejected = 0;
        foreach (var sibling in siblings)
        {
            ejected += sibling.Stats.IsEjected ? 1 : 0;
        }

        var allowed = siblings.Length < 2 ? 0 : Math.Max(1, (int)(siblings.Length * options.MaxEjectedShare));
        if (ejected >= allowed)
        {
            logger.LogDebug("Node {Node} of {Service} not ejected ({Reason}): {Ejected} of its {Count} nodes are out already", node.Id, service, reason, ejected, siblings.Length);
            return;
        }

        EjectLocked(service, node, now, reason);
    }

    private void EjectLocked(string service, SelectableNode node, long now, string reason)
    {
        var stats = node.Stats;
        var wasOut = stats.IsEjected;
        var healthyPeriods = stats.ReturnedAt == 0 || wasOut ? 0 : (int)Math.Min(int.MaxValue, (now - stats.ReturnedAt) / Math.Max(1, clock.Ticks(options.EjectionTime)));
        var count = Math.Max(0, stats.EjectionCount - healthyPeriods) + 1;
        var duration = TimeSpan.FromTicks(Math.Min(options.EjectionTime.Ticks * count, options.MaxEjectionTime.Ticks));
        Volatile.Write(ref stats.EjectionCount, count);
        Volatile.Write(ref stats.ProbeClaimedAt, 0);
        Volatile.Write(ref stats.EjectedUntil, now + clock.Ticks(duration));
        stats.ResetFailures();
        if (!wasOut)
        {
            Interlocked.Increment(ref _ejected);
        }

        Ejections.Add(1, new KeyValuePair<string, object?>("service", service));
        logger.LogWarning("Node {Node} of {Service} ejected for {Seconds:0.#} s (ejection {Count}): {Reason}", node.Id, service, duration.TotalSeconds, count, reason);
    }

    private void Return(string service, SelectableNode node, long now)
    {
        var stats = node.Stats;
        Volatile.Write(ref stats.EjectedUntil, 0);
        Volatile.Write(ref stats.ProbeClaimedAt, 0);
        stats.ReturnedAt = now;
        Interlocked.Decrement(ref _ejected);
        logger.LogInformation("Node {Node} of {Service} returned: its probe succeeded", node.Id, service);
    }

    /// <summary>Forgets a node that left the registry (an ejected one no longer counts as out).</summary>
    public void Forget(NodeStats stats)
    {
        if (Interlocked.Exchange(ref stats.EjectedUntil, 0) != 0)
        {
            Interlocked.Decrement(ref _ejected);
        }
    }

    private ServiceState StateOf(string service) => _services.GetOrAdd(service, static _ => new ServiceState());

    private static double Median(List<double> values)
    {
        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    private sealed class ServiceState
    {
        public long NextEvaluation;
    }
}

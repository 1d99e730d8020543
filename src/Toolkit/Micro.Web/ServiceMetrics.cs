using System.Collections.Concurrent;
using Micro.Client;
using Micro.Diagnostics;
using Micro.Registry;
using Micro.Server;

namespace Micro.Web;

/// <summary>
/// Request rate, error rate and latency of a service over time, for the charts on its page. Each sample reads every
/// node's <c>Debug.Stats</c> (totals from its <c>micro.server.*</c> metrics, see <see cref="EndpointMetrics"/>) and turns
/// the change since the last sample into a point; a node that restarted counts from zero. Sampled while someone looks
/// (the page asks every 2 s), at most once a second per service, keeping the last <see cref="Capacity"/> points.
/// </summary>
internal sealed class ServiceMetrics(IRegistry registry, IMicroClient client, TimeProvider time)
{
    public const int Capacity = 150;
    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);

    public async Task<MetricsReply> SampleAsync(string service, CancellationToken cancellationToken)
    {
        var series = _series.GetOrAdd(service, static _ => new Series());
        await series.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            if (series.Last is { } last && now - last < MinInterval)
            {
                return series.Reply(service);
            }

            var versions = await registry.GetServiceAsync(service, cancellationToken).ConfigureAwait(false);
            var nodes = versions.SelectMany(v => v.Nodes).ToArray();
            var reads = await Task.WhenAll(nodes.Select(async node =>
            {
                try
                {
                    var stats = await client.CallAsync<StatsRequest, StatsResponse>(service, "Debug.Stats", new StatsRequest(),
                        new CallOptions { Address = node.Address, Retries = 0, Timeout = TimeSpan.FromSeconds(2) }, cancellationToken).ConfigureAwait(false);
                    return (node.Id, Totals: Totals.Of(stats), Error: (string?)null);
                }
                catch (MicroException e)
                {
                    return (node.Id, Totals: (Totals?)null, Error: $"{node.Id}: {e.Detail}");
                }
            })).ConfigureAwait(false);

            var delta = new Totals();
            foreach (var (id, totals, _) in reads)
            {
                if (totals is null)
                {
                    continue;
                }

                // A node seen for the first time has no baseline yet: it counts from the next sample.
                if (series.Previous.TryGetValue(id, out var before))
                {
                    delta.Add(totals.Since(before));
                }

                series.Previous[id] = totals;
            }

            foreach (var gone in series.Previous.Keys.Except(reads.Select(r => r.Id)).ToArray())
            {
                series.Previous.Remove(gone);
            }

            if (series.Last is { } previous)
            {
                series.Add(delta.Point(now, (now - previous).TotalSeconds));
            }

            series.Last = now;
            series.Problems = reads.Where(r => r.Error is not null).Select(r => r.Error!).ToArray();
            series.Nodes = reads.Count(r => r.Totals is not null);
            return series.Reply(service);
        }
        finally
        {
            series.Gate.Release();
        }
    }

    private sealed class Series
    {
        private readonly Queue<MetricsPoint> _points = new();

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public DateTimeOffset? Last { get; set; }

        public Dictionary<string, Totals> Previous { get; } = new(StringComparer.Ordinal);

        public IReadOnlyList<string> Problems { get; set; } = [];

        public int Nodes { get; set; }

        public void Add(MetricsPoint point)
        {
            _points.Enqueue(point);
            while (_points.Count > Capacity)
            {
                _points.Dequeue();
            }
        }

        public MetricsReply Reply(string service) => new(service, Nodes, _points.ToArray(), Problems);
    }

    /// <summary>One node's totals over all endpoints (or a difference of two).</summary>
    private sealed class Totals
    {
        public double Requests { get; private set; }

        public double Errors { get; private set; }

        public double Seconds { get; private set; }

        public double[] Buckets { get; private set; } = new double[MicroTelemetry.DurationBuckets.Count + 1];

        public static Totals Of(StatsResponse stats)
        {
            var totals = new Totals();
            // Debug.* is the tooling's own traffic (this sampling among it), not the service's.
            foreach (var e in (stats.Endpoints ?? []).Where(e => !e.Endpoint.StartsWith("Debug.", StringComparison.Ordinal)))
            {
                totals.Requests += e.Requests;
                totals.Errors += e.Errors;
                totals.Seconds += e.DurationSeconds;
                for (var i = 0; i < Math.Min(e.Buckets.Count, totals.Buckets.Length); i++)
                {
                    totals.Buckets[i] += e.Buckets[i];
                }
            }

            return totals;
        }

        /// <summary>What happened since <paramref name="before"/>; all of it when the counters went back (a restart).</summary>
        public Totals Since(Totals before)
            => Requests < before.Requests
                ? this
                : new Totals
                {
                    Requests = Requests - before.Requests,
                    Errors = Math.Max(0, Errors - before.Errors),
                    Seconds = Math.Max(0, Seconds - before.Seconds),
                    Buckets = Buckets.Select((b, i) => Math.Max(0, b - before.Buckets[i])).ToArray(),
                };

        public void Add(Totals other)
        {
            Requests += other.Requests;
            Errors += other.Errors;
            Seconds += other.Seconds;
            for (var i = 0; i < Buckets.Length; i++)
            {
                Buckets[i] += other.Buckets[i];
            }
        }

        public MetricsPoint Point(DateTimeOffset at, double seconds)
        {
            seconds = Math.Max(seconds, 0.001);
            return new MetricsPoint(at.ToUnixTimeMilliseconds(), Requests / seconds, Errors / seconds,
                Requests == 0 ? null : Seconds / Requests * 1000, Quantile(0.5), Quantile(0.99));
        }

        /// <summary>The q-quantile in milliseconds, interpolated inside its bucket; null without requests.</summary>
        private double? Quantile(double q)
        {
            var total = Buckets.Sum();
            if (total <= 0)
            {
                return null;
            }

            var bounds = MicroTelemetry.DurationBuckets;
            var rank = q * total;
            double seen = 0;
            for (var i = 0; i < Buckets.Length; i++)
            {
                if (seen + Buckets[i] >= rank && Buckets[i] > 0)
                {
                    var lower = i == 0 ? 0 : bounds[i - 1];
                    var upper = i < bounds.Count ? bounds[i] : bounds[^1] * 2; // the open-ended bucket: shown as twice the last bound
                    return (lower + ((upper - lower) * ((rank - seen) / Buckets[i]))) * 1000;
                }

                seen += Buckets[i];
            }

            return bounds[^1] * 1000;
        }
    }
}

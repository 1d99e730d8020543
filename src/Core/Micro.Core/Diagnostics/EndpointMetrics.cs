using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Micro.Diagnostics;

/// <summary>
/// This process's server metrics, totalled per service, node and endpoint: it listens to <c>micro.server.duration</c>
/// (a <see cref="MeterListener"/>, beside any OpenTelemetry exporter; one measurement per request, whose <c>code</c> tag
/// tells an error), and
/// <c>Debug.Stats</c> reports the totals, from which the dashboard charts request rate, error rate and latency.
/// Started by the first server of the process; a few hundred nanoseconds per request.
/// </summary>
public sealed class EndpointMetrics : IDisposable
{
    private static readonly Lazy<EndpointMetrics> Instance = new(() => new EndpointMetrics());
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Service, string? Node, string Endpoint), Totals> _totals = new();

    private EndpointMetrics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // By name: an instrument is published while MicroTelemetry's fields are still being set.
            if (instrument.Meter.Name == MicroTelemetry.Name && instrument.Name == "micro.server.duration")
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<double>(static (_, seconds, tags, state) => ((EndpointMetrics)state!).OnDuration(seconds, tags));
        _listener.Start();
    }

    /// <summary>The process's one instance (started on first use).</summary>
    public static EndpointMetrics Shared => Instance.Value;

    /// <summary>Totals since the process started for each endpoint of one node of <paramref name="service"/> (its <c>node</c> tag), by endpoint name.</summary>
    public IReadOnlyList<EndpointStats> Snapshot(string service, string? node)
        => _totals.Where(kv => kv.Key.Service == service && kv.Key.Node == node)
            .OrderBy(kv => kv.Key.Endpoint, StringComparer.Ordinal)
            .Select(kv => kv.Value.Snapshot(kv.Key.Endpoint))
            .ToArray();

    public void Dispose() => _listener.Dispose();

    private void OnDuration(double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var (service, node, endpoint, code) = Read(tags);
        if (service is not null && endpoint is not null)
        {
            _totals.GetOrAdd((service, node, endpoint), static _ => new Totals()).Record(seconds, error: code is not 200);
        }
    }

    private static (string? Service, string? Node, string? Endpoint, int? Code) Read(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? service = null, node = null, endpoint = null;
        int? code = null;
        foreach (var (key, value) in tags)
        {
            switch (key)
            {
                case "service": service = value as string; break;
                case "endpoint": endpoint = value as string; break;
                case "node": node = value as string; break;
                case "code": code = value as int?; break;
            }
        }

        return (service, node, endpoint, code);
    }

    private sealed class Totals
    {
        private readonly long[] _buckets = new long[MicroTelemetry.DurationBuckets.Count + 1];
        private long _requests;
        private long _errors;
        private long _microseconds;

        public void Record(double seconds, bool error)
        {
            Interlocked.Increment(ref _requests);
            if (error)
            {
                Interlocked.Increment(ref _errors);
            }

            var bounds = MicroTelemetry.DurationBuckets;
            var i = 0;
            while (i < bounds.Count && seconds > bounds[i])
            {
                i++;
            }

            Interlocked.Increment(ref _buckets[i]);
            Interlocked.Add(ref _microseconds, (long)(seconds * 1_000_000));
        }

        public EndpointStats Snapshot(string endpoint)
            => new(endpoint, (ulong)Interlocked.Read(ref _requests), (ulong)Interlocked.Read(ref _errors),
                Interlocked.Read(ref _microseconds) / 1_000_000.0, Enumerable.Range(0, _buckets.Length).Select(i => (ulong)Interlocked.Read(ref _buckets[i])).ToArray());
    }
}

using System.Diagnostics;
using Micro.Codec;
using Micro.Diagnostics;
using Micro.Registry;

namespace Micro.Server;

/// <summary>The endpoints every service answers: <c>Debug.Health</c> and <c>Debug.Stats</c> (go-micro's names and shapes).</summary>
public sealed class DebugHandler(ServiceHealth health, TimeProvider? timeProvider = null, string? service = null, string? node = null)
{
    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;
    private readonly DateTimeOffset _started = (timeProvider ?? TimeProvider.System).GetUtcNow();

    /// <summary>Debug.Health and Debug.Stats of one server, bound and described without reflection (trim/AOT safe).</summary>
    internal static IEnumerable<EndpointDescriptor> Endpoints(DebugHandler debug)
    {
        var endpointStats = new Value
        {
            Name = "endpoints", Type = "[]EndpointStats",
            Values =
            [
                new Value { Name = "endpoint", Type = "string" }, new Value { Name = "requests", Type = "uint64" }, new Value { Name = "errors", Type = "uint64" },
                new Value { Name = "durationSeconds", Type = "double" }, new Value { Name = "buckets", Type = "[]uint64" },
            ],
        };
        var stats = new[] { "started", "uptime", "memory", "threads", "gc", "gcCount", "heapBytes", "allocatedBytes" }
            .Select(n => new Value { Name = n, Type = "uint64" }).Append(endpointStats).ToArray();
        var healthChecks = new Value { Name = "checks", Type = "map<string,string>" };
        // Answered by this server's instance (it knows the server's health), not one made from the app's services.
        yield return new EndpointDescriptor(
            ContractEndpoints.Describe("Debug.Health", Message(nameof(HealthRequest)), Message(nameof(HealthResponse), new Value { Name = "status", Type = "string" }, healthChecks), streaming: null),
            _ => HandlerEndpoints.Invoke<HealthRequest, HealthResponse>((r, ct) => new ValueTask<HealthResponse>(debug.Health(r, ct))));
        yield return new EndpointDescriptor(
            ContractEndpoints.Describe("Debug.Stats", Message(nameof(StatsRequest)), Message(nameof(StatsResponse), stats), streaming: null),
            _ => HandlerEndpoints.Invoke<StatsRequest, StatsResponse>((r, ct) => new ValueTask<StatsResponse>(debug.Stats(r, ct))));
    }

    private static Value Message(string type, params Value[] fields) => new() { Name = type, Type = type, Values = fields };

    /// <summary>
    /// <c>{"status":"ok"}</c> when the node is ready (go-micro's answer); otherwise the status names what is wrong, e.g.
    /// <c>not ready: broker: nats broker at ... is not connected</c>. <c>checks</c> gives every check.
    /// </summary>
    public Task<HealthResponse> Health(HealthRequest request, CancellationToken cancellationToken)
    {
        var problems = health.Problems();
        return Task.FromResult(new HealthResponse(problems.Count == 0 ? "ok" : "not ready: " + string.Join("; ", problems), health.Checks()));
    }

    public Task<StatsResponse> Stats(StatsRequest request, CancellationToken cancellationToken)
    {
        using var process = Process.GetCurrentProcess();
        var gc = GC.GetGCMemoryInfo();
        return Task.FromResult(new StatsResponse(
            Started: (ulong)_started.ToUnixTimeSeconds(),
            Uptime: (ulong)Math.Max(0, (time.GetUtcNow() - _started).TotalSeconds),
            Memory: (ulong)process.WorkingSet64,
            Threads: (ulong)process.Threads.Count,
            Gc: (ulong)GC.GetTotalPauseDuration().Ticks * 100,
            GcCount: (ulong)GC.CollectionCount(0),
            HeapBytes: (ulong)gc.HeapSizeBytes,
            AllocatedBytes: (ulong)GC.GetTotalAllocatedBytes(),
            Endpoints: service is null ? null : EndpointMetrics.Shared.Snapshot(service, node)));
    }
}

using System.Diagnostics;
using System.Text.Json.Serialization;
using Micro.Codec;
using Micro.Registry;

namespace Micro.Server;

/// <summary>The endpoints every service answers: <c>Debug.Health</c> and <c>Debug.Stats</c> (go-micro's names and shapes).</summary>
public sealed class Debug(ServiceHealth health, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;
    private readonly DateTimeOffset _started = (timeProvider ?? TimeProvider.System).GetUtcNow();

    /// <summary>Debug.Health and Debug.Stats of one server, bound and described without reflection (trim/AOT safe).</summary>
    internal static IEnumerable<EndpointDescriptor> Endpoints(Debug debug)
    {
        MicroJsonTypes.Add(DebugJsonContext.Default);
        var stats = new[] { "started", "uptime", "memory", "threads", "gc", "gcCount", "heapBytes", "allocatedBytes" }
            .Select(n => new Value { Name = n, Type = "uint64" }).ToArray();
        var healthChecks = new Value { Name = "checks", Type = "map<string,string>" };
        yield return Bound(ContractEndpoints.Unary<Debug, HealthRequest, HealthResponse>("Debug.Health", static (d, r, ct) => d.Health(r, ct),
            Message(nameof(HealthRequest)), Message(nameof(HealthResponse), new Value { Name = "status", Type = "string" }, healthChecks)), (Func<HealthRequest, CancellationToken, Task<HealthResponse>>)debug.Health);
        yield return Bound(ContractEndpoints.Unary<Debug, StatsRequest, StatsResponse>("Debug.Stats", static (d, r, ct) => d.Stats(r, ct),
            Message(nameof(StatsRequest)), Message(nameof(StatsResponse), stats)), (Func<StatsRequest, CancellationToken, Task<StatsResponse>>)debug.Stats);
    }

    /// <summary>The endpoint as described, answered by this server's instance (not one made from the app's services).</summary>
    private static EndpointDescriptor Bound<TRequest, TResponse>(EndpointDescriptor described, Func<TRequest, CancellationToken, Task<TResponse>> call)
        => new(described.Endpoint, _ => async (request, cancellationToken) =>
        {
            var response = await call(request.Codec.Decode<TRequest>(request.Body), cancellationToken).ConfigureAwait(false);
            return new ServerResponse(request.ReplyCodec.Encode(response), request.ReplyCodec.ContentType);
        });

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
            AllocatedBytes: (ulong)GC.GetTotalAllocatedBytes()));
    }
}

public sealed record HealthRequest;

/// <summary>go-micro's <c>status</c>, plus each readiness check (<c>registry</c>, <c>server</c>, <c>broker</c>) and its state.</summary>
public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, string>? Checks = null);

public sealed record StatsRequest;

/// <summary>go-micro's stats: started (unix s), uptime (s), memory (bytes), threads, gc (total pause ns); plus .NET figures.</summary>
public sealed record StatsResponse(ulong Started, ulong Uptime, ulong Memory, ulong Threads, ulong Gc, ulong GcCount, ulong HeapBytes, ulong AllocatedBytes);

[JsonSerializable(typeof(HealthRequest))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(StatsRequest))]
[JsonSerializable(typeof(StatsResponse))]
internal sealed partial class DebugJsonContext : JsonSerializerContext;

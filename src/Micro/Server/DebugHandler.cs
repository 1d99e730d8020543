using System.Diagnostics;
using System.Text.Json.Serialization;
using Micro.Codec;
using Micro.Registry;

namespace Micro.Server;

/// <summary>The endpoints every service answers: <c>Debug.Health</c> and <c>Debug.Stats</c> (go-micro's names and shapes).</summary>
public sealed class Debug(TimeProvider? timeProvider = null)
{
    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;
    private readonly DateTimeOffset _started = (timeProvider ?? TimeProvider.System).GetUtcNow();

    /// <summary>Debug.Health and Debug.Stats, bound and described without reflection (trim/AOT safe).</summary>
    internal static IEnumerable<EndpointDescriptor> Endpoints()
    {
        MicroJsonTypes.Add(DebugJsonContext.Default);
        var stats = new[] { "started", "uptime", "memory", "threads", "gc", "gcCount", "heapBytes", "allocatedBytes" }
            .Select(n => new Value { Name = n, Type = "uint64" }).ToArray();
        yield return ContractEndpoints.Unary<Debug, HealthRequest, HealthResponse>("Debug.Health", static (d, r, ct) => d.Health(r, ct),
            Message(nameof(HealthRequest)), Message(nameof(HealthResponse), new Value { Name = "status", Type = "string" }));
        yield return ContractEndpoints.Unary<Debug, StatsRequest, StatsResponse>("Debug.Stats", static (d, r, ct) => d.Stats(r, ct),
            Message(nameof(StatsRequest)), Message(nameof(StatsResponse), stats));
    }

    private static Value Message(string type, params Value[] fields) => new() { Name = type, Type = type, Values = fields };

    public Task<HealthResponse> Health(HealthRequest request, CancellationToken cancellationToken)
        => Task.FromResult(new HealthResponse("ok"));

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

public sealed record HealthResponse(string Status);

public sealed record StatsRequest;

/// <summary>go-micro's stats: started (unix s), uptime (s), memory (bytes), threads, gc (total pause ns); plus .NET figures.</summary>
public sealed record StatsResponse(ulong Started, ulong Uptime, ulong Memory, ulong Threads, ulong Gc, ulong GcCount, ulong HeapBytes, ulong AllocatedBytes);

[JsonSerializable(typeof(HealthRequest))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(StatsRequest))]
[JsonSerializable(typeof(StatsResponse))]
internal sealed partial class DebugJsonContext : JsonSerializerContext;

using System.Diagnostics;

namespace Micro.Server;

/// <summary>The endpoints every service answers: <c>Debug.Health</c> and <c>Debug.Stats</c> (go-micro's names and shapes).</summary>
public sealed class Debug(TimeProvider? timeProvider = null)
{
    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;
    private readonly DateTimeOffset _started = (timeProvider ?? TimeProvider.System).GetUtcNow();

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

using System.Text.Json.Serialization;
using Micro.Codec;
using Micro.Diagnostics;

namespace Micro.Server;

/// <summary>
/// go-micro's stats: started (unix s), uptime (s), memory (bytes), threads, gc (total pause ns); plus .NET figures and
/// this service's totals per endpoint (requests, errors, latency buckets of <see cref="MicroTelemetry.DurationBuckets"/>).
/// </summary>
public sealed record StatsResponse(ulong Started, ulong Uptime, ulong Memory, ulong Threads, ulong Gc, ulong GcCount, ulong HeapBytes, ulong AllocatedBytes,
    IReadOnlyList<EndpointStats>? Endpoints = null);

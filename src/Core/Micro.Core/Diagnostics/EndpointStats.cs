using System.Diagnostics.Metrics;

namespace Micro.Diagnostics;

/// <summary>
/// One endpoint's totals since its process started: requests, errors (any code but 200), the time spent handling them,
/// and how many took at most each of <see cref="MicroTelemetry.DurationBuckets"/> (the last bucket: longer).
/// </summary>
public sealed record EndpointStats(string Endpoint, ulong Requests, ulong Errors, double DurationSeconds, IReadOnlyList<ulong> Buckets);

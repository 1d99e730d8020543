using Micro.Client;
using Micro.Diagnostics;
using Micro.Hosting;
using Micro.Server;

namespace Micro.Web;

/// <summary>One point of a service's charts: per second over the interval before <see cref="At"/> (unix ms); latency in ms.</summary>
public sealed record MetricsPoint(long At, double Requests, double Errors, double? MeanMs, double? P50Ms, double? P99Ms);

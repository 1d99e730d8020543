using Micro.Server;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Micro.Hosting;

/// <summary>ASP.NET Core health check: the Micro server's readiness (registered, broker connected, not stopping).</summary>
public sealed class MicroHealthCheck(MicroServer server) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var checks = server.Health.Checks();
        var data = checks.ToDictionary(c => c.Key, c => (object)c.Value);
        var problems = server.Health.Problems();
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy($"{server.Name} node {server.Id} ready", data)
            : HealthCheckResult.Unhealthy($"{server.Name} node {server.Id} not ready: {string.Join("; ", problems)}", data: data));
    }
}

using Micro.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Micro.Hosting;

public static class MicroHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds the Micro server's readiness to ASP.NET Core health checks, e.g.
    /// <c>builder.Services.AddHealthChecks().AddMicro();</c> then <c>app.MapHealthChecks("/healthz")</c>.
    /// </summary>
    public static IHealthChecksBuilder AddMicro(this IHealthChecksBuilder builder, string name = "micro", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(name, sp => new MicroHealthCheck(sp.GetRequiredService<MicroServer>()), HealthStatus.Unhealthy, tags ?? ["ready"]));
    }
}

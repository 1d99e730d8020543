using Micro.Web;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

// In this namespace, as ASP.NET Core's own Map... methods are, so that app.MapMicroDashboard() is found without a using.
namespace Microsoft.AspNetCore.Builder;

public static class MicroDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the dashboard (added with <c>services.AddMicroDashboard()</c>) under <paramref name="prefix"/>: <c>/ops</c>
    /// makes <c>/ops/</c> its services page, <c>/ops/api/...</c> its API and <c>/ops/{name}/</c> web app <c>{name}</c>;
    /// its links, redirects and sign-in cookie stay under the prefix. Returns the group, for the app's own conventions
    /// (<c>.RequireAuthorization()</c>, rate limits). Web apps' WebSockets need <c>app.UseWebSockets()</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The dashboard has no authenticator and was not marked <see cref="WebOptions.Insecure"/>.</exception>
    public static RouteGroupBuilder MapMicroDashboard(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var dashboard = endpoints.ServiceProvider.GetService<DashboardEndpoints>()
            ?? throw new InvalidOperationException("MapMicroDashboard needs services.AddMicroDashboard() (and services.AddMicro()) first.");
        if (!dashboard.HasAuthenticator && !dashboard.Insecure)
        {
            throw new InvalidOperationException("MapMicroDashboard with no auth: whoever reaches this app could call every service and run the terminal. " +
                "Set WebOptions.Authenticator (an ApiKeyAuthenticator or JwtAuthenticator), or Insecure = true if the app guards these paths itself (e.g. .RequireAuthorization()).");
        }

        return dashboard.Map(endpoints, prefix);
    }
}

using Micro.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

// In this namespace, as ASP.NET Core's own Map... methods are, so that app.MapMicroGateway() is found without a using.
namespace Microsoft.AspNetCore.Builder;

public static class MicroGatewayEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the gateway (added with <c>services.AddMicroGateway()</c>) under <paramref name="prefix"/>: <c>/api</c> makes
    /// <c>/api/greeter/hello</c> the gateway's <c>/greeter/hello</c>. With no prefix it takes every path the app's own
    /// endpoints do not (a fallback), as <c>micro api</c> does. Its --auth and --rate_limit, when set, guard only these paths; the
    /// app's own endpoints keep their own auth. WebSocket streams need <c>app.UseWebSockets()</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapMicroGateway(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var gateway = endpoints.ServiceProvider.GetService<ApiGateway>()
            ?? throw new InvalidOperationException("MapMicroGateway needs services.AddMicroGateway() (and services.AddMicro()) first.");
        var guards = endpoints.ServiceProvider.GetRequiredService<MicroGatewayGuards>();
        var auth = guards.Middleware;
        var limiter = guards.RateLimiter;
        var pathBase = Micro.Edge.EdgePathPrefix.Normalize(prefix);
        Task HandleAsync(HttpContext context)
        {
            Micro.Edge.EdgePathPrefix.MoveIntoPathBase(context, pathBase); // the gateway routes by the path after the prefix, as if it were the whole app
            // Auth first, so the rate limit counts the caller it signed in.
            return auth.InvokeAsync(context, () => limiter is null ? gateway.HandleAsync(context) : limiter.InvokeAsync(context, () => gateway.HandleAsync(context)));
        }

        return pathBase.HasValue
            ? endpoints.Map(pathBase + "/{**path}", HandleAsync)
            : endpoints.MapFallback("{**path}", HandleAsync);
    }
}

using Micro.Proxy;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

// In this namespace, as ASP.NET Core's own Map... methods are, so that app.MapMicroProxy() is found without a using.
namespace Microsoft.AspNetCore.Builder;

public static class MicroProxyEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the proxy (added with <c>services.AddMicroProxy()</c>) under <paramref name="prefix"/>:
    /// <c>{prefix}/health</c>, <c>/registry</c>, <c>/rpc</c>, <c>/stream</c>, <c>/broker</c>, each behind the browser guard
    /// and the proxy's auth. Streams and broker subscriptions need <c>app.UseWebSockets()</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The proxy has no auth and was not marked <see cref="ProxyOptions.Insecure"/>.</exception>
    public static RouteGroupBuilder MapMicroProxy(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var proxy = endpoints.ServiceProvider.GetService<ProxyEndpoints>()
            ?? throw new InvalidOperationException("MapMicroProxy needs services.AddMicroProxy() (and services.AddMicro()) first.");
        if (!proxy.HasAuthenticator && !proxy.Insecure)
        {
            throw new InvalidOperationException("MapMicroProxy with no auth: whoever reaches this app could register services and call every one. " +
                "Set ProxyOptions.AuthToken (or Authenticator), or Insecure = true to accept that.");
        }

        return proxy.Map(endpoints, prefix);
    }
}

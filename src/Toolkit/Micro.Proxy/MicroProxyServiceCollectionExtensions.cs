using Micro.Broker;
using Micro.Client;
using Micro.Hosting;
using Micro.Proxy;
using Micro.Registry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

// In this namespace, as ASP.NET Core's own Add... methods are, so that services.AddMicroProxy() is found without a using.
namespace Microsoft.Extensions.DependencyInjection;

public static class MicroProxyServiceCollectionExtensions
{
    /// <summary>
    /// Adds the endpoints of <c>micro proxy</c> (registry, calls, streams, broker over HTTP for the CLI and remote tools)
    /// to an app that also calls <c>AddMicro()</c>, over its registry, client and broker. Serve them with
    /// <c>app.MapMicroProxy(prefix)</c>; they need <see cref="ProxyOptions.AuthToken"/> or an authenticator (or
    /// <see cref="ProxyOptions.Insecure"/>), since whoever reaches them can register services and call every one.
    /// </summary>
    public static IServiceCollection AddMicroProxy(this IServiceCollection services, ProxyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        options ??= new ProxyOptions();
        services.TryAddSingleton(sp => new ProxyEndpoints(options,
            new ProxyBackend(sp.GetRequiredService<IRegistry>(), sp.GetRequiredService<IMicroClient>(), sp.GetRequiredService<IBroker>(), sp.GetRequiredService<MicroSettings>().RegisterTtl),
            Micro.Edge.LoopbackHostRule.OnLoopbackConnections, sp.GetRequiredService<ILoggerFactory>()));
        return services;
    }
}

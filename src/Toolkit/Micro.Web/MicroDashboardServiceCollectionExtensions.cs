using Micro.Broker;
using Micro.Client;
using Micro.Edge;
using Micro.Hosting;
using Micro.Registry;
using Micro.Selector;
using Micro.Web;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

// In this namespace, as ASP.NET Core's own Add... methods are, so that services.AddMicroDashboard() is found without a using.
namespace Microsoft.Extensions.DependencyInjection;

public static class MicroDashboardServiceCollectionExtensions
{
    /// <summary>
    /// Adds the dashboard of <c>micro web</c> (services, nodes, endpoints, charts, a call form, a terminal, web apps) to
    /// an app that also calls <c>AddMicro()</c>, over its registry, client and broker. Serve it with
    /// <c>app.MapMicroDashboard(prefix)</c>; it needs <see cref="WebOptions.Authenticator"/> (or
    /// <see cref="WebOptions.Insecure"/> when the app guards those paths itself), since whoever reaches it can call every
    /// service and run the terminal.
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="WebOptions.AppsAddress"/> is set: a second listener is micro web's alone.</exception>
    public static IServiceCollection AddMicroDashboard(this IServiceCollection services, WebOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        options ??= new WebOptions();
        if (options.AppsAddress is not null)
        {
            throw new ArgumentException("WebOptions.AppsAddress is micro web's own second listener; a dashboard mapped in an app serves web apps on the app's origin, sandboxed. Leave AppsAddress unset.", nameof(options));
        }

        services.AddHttpForwarder();
        services.TryAddSingleton(sp => new DashboardEndpoints(options, sp.GetRequiredService<IRegistry>(), sp.GetRequiredService<IMicroClient>(), sp.GetRequiredService<IBroker>(),
            sp.GetRequiredService<ISelector>(), sp.GetRequiredService<MicroSettings>(), sp.GetRequiredService<IHttpForwarder>(), LoopbackHostRule.OnLoopbackConnections, null,
            sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILoggerFactory>()));
        return services;
    }
}

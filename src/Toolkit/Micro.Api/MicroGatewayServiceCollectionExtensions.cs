using Micro.Edge;
using Micro.Api;
using Micro.Edge.Auth;
using Micro.Client;
using Micro.Registry;
using Micro.Selector;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

// In this namespace, as ASP.NET Core's own Add... methods are, so that services.AddMicroGateway() is found without a using.
namespace Microsoft.Extensions.DependencyInjection;

public static class MicroGatewayServiceCollectionExtensions
{
    /// <summary>
    /// Adds the gateway of <c>micro api</c> to an app that also calls <c>AddMicro()</c>: it calls services through the
    /// app's <see cref="IMicroClient"/>, finds them in its <see cref="IRegistry"/> and forwards http handlers to nodes its
    /// <see cref="ISelector"/> picks. Serve it with <c>app.MapMicroGateway(prefix)</c>, beside the app's own endpoints.
    /// </summary>
    public static IServiceCollection AddMicroGateway(this IServiceCollection services, ApiOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        options ??= new ApiOptions();
        options.ValidateLimits();
        services.AddHttpForwarder();
        services.TryAddSingleton(Options.Options.Create(options));
        services.TryAddSingleton(sp => new NodeForwarder(sp.GetRequiredService<IHttpForwarder>(), sp.GetRequiredService<ISelector>(), options.AllowLinkLocal));
        AddBuiltIns(services, options);
        services.TryAddSingleton(sp => new ApiGateway(options, sp.GetRequiredService<IMicroClient>(), sp.GetRequiredService<IRegistry>(),
            Named(sp.GetServices<GatewayHandlerRegistration>().Select(r => (r.Name, (Func<IGatewayHandler>)(() => r.Create(sp))))),
            Named(sp.GetServices<GatewayResolverRegistration>().Select(r => (r.Name, (Func<IGatewayResolver>)(() => r.Create(sp))))),
            sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILoggerFactory>().CreateLogger<ApiGateway>()));
        if (options.RateLimit is { } limit)
        {
            // Its own singleton, so the app's container disposes its buckets' timer.
            services.TryAddSingleton(sp => new GatewayRateLimiter(limit, sp.GetRequiredService<ILoggerFactory>().CreateLogger<GatewayRateLimiter>()));
        }

        services.TryAddSingleton(sp => new MicroGatewayGuards(new EdgeAuthMiddleware(options.Authenticator, EdgeErrors.GatewayId, sp.GetRequiredService<ILoggerFactory>().CreateLogger<EdgeAuthMiddleware>()),
            sp.GetService<GatewayRateLimiter>()));
        return services;
    }

    /// <summary>Adds a gateway handler by name (chosen by <see cref="ApiOptions.Handler"/> or an endpoint's <c>handler</c> metadata); a built-in name is replaced.</summary>
    public static IServiceCollection AddMicroGatewayHandler(this IServiceCollection services, string name, Func<IServiceProvider, IGatewayHandler> create)
        => AddNamed(services, name, create, static (n, c) => new GatewayHandlerRegistration(n, c));

    /// <summary>Adds a gateway resolver by name (chosen by <see cref="ApiOptions.Resolver"/>); a built-in name is replaced.</summary>
    public static IServiceCollection AddMicroGatewayResolver(this IServiceCollection services, string name, Func<IServiceProvider, IGatewayResolver> create)
        => AddNamed(services, name, create, static (n, c) => new GatewayResolverRegistration(n, c));

    private static IServiceCollection AddNamed<T, TRegistration>(IServiceCollection services, string name, Func<IServiceProvider, T> create, Func<string, Func<IServiceProvider, T>, TRegistration> registration)
        where TRegistration : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        services.AddSingleton(registration(name, create));
        return services;
    }

    private static void AddBuiltIns(IServiceCollection services, ApiOptions options)
    {
        if (services.Any(d => d.ServiceType == typeof(BuiltInsAdded)))
        {
            return;
        }

        services.AddSingleton(new BuiltInsAdded());
        // First, so that a handler or resolver added under the same name later replaces the built-in one.
        services.AddSingleton(new GatewayHandlerRegistration(ApiHandlers.Rpc, sp => new CallGatewayHandler(sp.GetRequiredService<IMicroClient>(), options, api: false)));
        services.AddSingleton(new GatewayHandlerRegistration(ApiHandlers.Api, sp => new CallGatewayHandler(sp.GetRequiredService<IMicroClient>(), options, api: true)));
        foreach (var forward in new[] { ApiHandlers.Http, ApiHandlers.Proxy, ApiHandlers.Web })
        {
            services.AddSingleton(new GatewayHandlerRegistration(forward, sp => new ForwardGatewayHandler(sp.GetRequiredService<NodeForwarder>(), options)));
        }

        services.AddSingleton(new GatewayHandlerRegistration(ApiHandlers.Event, sp => new EventGatewayHandler(sp.GetRequiredService<IMicroClient>(), options, sp.GetService<TimeProvider>() ?? TimeProvider.System)));
        foreach (var resolver in ApiResolvers.All)
        {
            services.AddSingleton(new GatewayResolverRegistration(resolver, _ => new PathRulesResolver(resolver)));
        }
    }

    /// <summary>By name, the last registration of a name winning.</summary>
    private static Dictionary<string, T> Named<T>(IEnumerable<(string Name, Func<T> Create)> registrations)
    {
        var byName = new Dictionary<string, Func<T>>(StringComparer.Ordinal);
        foreach (var (name, create) in registrations)
        {
            byName[name] = create;
        }

        return byName.ToDictionary(p => p.Key, p => p.Value(), StringComparer.Ordinal);
    }

    private sealed class BuiltInsAdded;
}

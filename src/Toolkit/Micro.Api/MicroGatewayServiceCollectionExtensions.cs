using Micro.Api;
using Micro.Api.Auth;
using Micro.Client;
using Micro.Registry;
using Micro.Selector;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
        options.Validate();
        services.AddHttpForwarder();
        services.TryAddSingleton(Options.Options.Create(options));
        services.TryAddSingleton(sp => new NodeForwarder(sp.GetRequiredService<IHttpForwarder>(), sp.GetRequiredService<ISelector>(), options.AllowLinkLocal));
        services.TryAddSingleton(sp => new ApiGateway(options, sp.GetRequiredService<IMicroClient>(), sp.GetRequiredService<IRegistry>(), sp.GetRequiredService<NodeForwarder>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILoggerFactory>().CreateLogger<ApiGateway>()));
        services.TryAddSingleton(sp => new MicroGatewayAuth(new EdgeAuthMiddleware(options.Authenticator, ApiErrors.GatewayId, sp.GetRequiredService<ILoggerFactory>().CreateLogger<EdgeAuthMiddleware>())));
        return services;
    }
}

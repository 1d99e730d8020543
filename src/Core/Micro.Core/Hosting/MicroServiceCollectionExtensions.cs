using Micro.Broker;
using Micro.Client;
using Micro.Codec;
using Micro.Hosting;
using Micro.Registry;
using Micro.Selector;
using Micro.Server;
using Micro.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// In this namespace so that `services.AddMicro()` is found without a using.
namespace Microsoft.Extensions.DependencyInjection;

public static class MicroServiceCollectionExtensions
{
    /// <summary>
    /// Adds Micro: registry, selector, transport and client chosen by configuration (see <see cref="MicroSettings"/>), and,
    /// when <paramref name="configure"/> adds handlers, a server run by the host that registers, serves and stops gracefully.
    /// </summary>
    public static MicroBuilder AddMicro(this IServiceCollection services, Action<MicroBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new MicroBuilder(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => MicroSettings.FromConfiguration(sp.GetService<IConfiguration>() ?? new ConfigurationBuilder().Build()));
        services.TryAddSingleton(sp =>
        {
            var plugins = new MicroPlugins();
            foreach (var configurePlugins in sp.GetServices<Action<MicroPlugins>>())
            {
                configurePlugins(plugins);
            }

            return plugins;
        });
        services.TryAddSingleton(CodecRegistry.Default);
        services.TryAddSingleton(sp => sp.GetRequiredService<MicroPlugins>().CreateRegistry(sp.GetRequiredService<MicroSettings>(), LoggerFactoryOf(sp)));
        services.TryAddSingleton(sp => sp.GetRequiredService<MicroPlugins>().CreateTransport(sp.GetRequiredService<MicroSettings>(), LoggerFactoryOf(sp)));
        services.TryAddSingleton(sp => sp.GetRequiredService<MicroPlugins>().CreateBroker(sp.GetRequiredService<MicroSettings>(), LoggerFactoryOf(sp), sp.GetRequiredService<IRegistry>()));
        services.TryAddSingleton<ISelector>(sp => new RegistrySelector(
            sp.GetRequiredService<IRegistry>(), sp.GetRequiredService<MicroSettings>().CreateStrategy(), SelectorOptions.Default,
            sp.GetRequiredService<TimeProvider>(), LoggerFactoryOf(sp).CreateLogger<RegistrySelector>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<MicroSettings>().ToServerOptions(sp.GetService<IHostEnvironment>()?.ApplicationName));
        services.TryAddSingleton(sp => new TransportCatalog(sp.GetRequiredService<ITransport>(), sp.GetRequiredService<MicroPlugins>(), sp.GetRequiredService<MicroSettings>(), LoggerFactoryOf(sp)));
        services.TryAddSingleton<IMicroClient>(sp => new MicroClient(
            sp.GetRequiredService<ISelector>(), sp.GetRequiredService<ITransport>(), sp.GetRequiredService<CodecRegistry>(),
            sp.GetRequiredService<MicroSettings>().ToClientOptions(builder.HasServer ? sp.GetRequiredService<ServerOptions>().Name : null),
            sp.GetServices<ClientMiddleware>(), sp.GetRequiredService<TimeProvider>(), LoggerFactoryOf(sp).CreateLogger<MicroClient>(),
            sp.GetRequiredService<IBroker>(), sp.GetRequiredService<TransportCatalog>().Get));
        services.TryAddSingleton(builder.Lifetimes);
        services.TryAddSingleton(sp => new MicroServer(
            sp.GetRequiredService<ServerOptions>(), sp.GetRequiredService<IRegistry>(), sp.GetRequiredService<ITransport>(),
            sp.GetServices<EndpointDescriptor>(), sp, sp.GetRequiredService<CodecRegistry>(), sp.GetServices<ServerMiddleware>(),
            sp.GetRequiredService<TimeProvider>(), LoggerFactoryOf(sp).CreateLogger<MicroServer>(), sp.GetRequiredService<IBroker>(),
            sp.GetServices<SubscriberDescriptor>(), sp.GetServices<SubscriberMiddleware>()));
        configure?.Invoke(builder);
        if (builder.HasServer)
        {
            services.AddHostedService<MicroServerHostedService>();
        }

        return builder;
    }

    private static ILoggerFactory LoggerFactoryOf(IServiceProvider sp)
        => sp.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
}

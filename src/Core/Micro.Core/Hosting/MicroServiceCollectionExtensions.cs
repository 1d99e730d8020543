using Micro.Broker;
using Micro.Client;
using Micro.Codec;
using Micro.Hosting;
using Micro.Pipelines;
using Micro.Registry;
using Micro.Selector;
using Micro.Server;
using Micro.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
        services.AddOptions();
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
        // The defaults (JSON over the contexts added with micro.AddJsonTypes), plus the codecs added with micro.AddCodec
        // (which win their content type).
        services.TryAddSingleton(sp =>
        {
            var contexts = sp.GetServices<MicroBuilder.JsonTypes>().Select(t => t.Context).ToArray();
            var added = sp.GetServices<ICodec>().ToArray();
            return contexts.Length == 0 && added.Length == 0
                ? CodecRegistry.Default
                : new CodecRegistry([new JsonCodec(contexts), .. CodecRegistry.Defaults().Where(c => c is not JsonCodec), .. added]);
        });

        // Each component's options record: read from its section (see MicroConfigurationKeys), changed in code, checked.
        services.TryAddSingleton(sp => MicroOptionsFactory.Create(sp, Settings(sp).ToServerOptions(sp.GetService<IHostEnvironment>()?.ApplicationName), MicroOptionsFactory.Check));
        services.TryAddSingleton(sp => MicroOptionsFactory.Create(sp, Settings(sp).ToClientOptions(sp.GetService<MicroBuilder.ServerMarker>() is not null ? sp.GetRequiredService<IOptions<ServerOptions>>().Value.Name : null), MicroOptionsFactory.Check));
        services.TryAddSingleton(sp => MicroOptionsFactory.Create(sp, Settings(sp).ToSelectorOptions(), MicroOptionsFactory.Check));
        services.TryAddSingleton(sp => MicroOptionsFactory.Create(sp, Settings(sp).ToTransportOptions(LoggerFactoryOf(sp)) with { LoggerFactory = LoggerFactoryOf(sp) }, MicroOptionsFactory.Check));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ServerOptions>>().Value);

        // Every registry, transport and broker by name as a keyed service ([FromKeyedServices("nats")] IBroker), made
        // by the one catalog; the unkeyed service is the configured one.
        services.TryAddSingleton(sp => sp.GetRequiredKeyedService<IRegistry>(Settings(sp).Registry));
        services.TryAddSingleton(sp => sp.GetRequiredKeyedService<ITransport>(Settings(sp).Transport));
        services.TryAddSingleton(sp => sp.GetRequiredKeyedService<IBroker>(Settings(sp).Broker));
        services.TryAddKeyedSingleton<IRegistry>(KeyedService.AnyKey, (sp, key) => Plugins(sp).CreateRegistry(Settings(sp) with { Registry = Name(key) }, LoggerFactoryOf(sp), sp));
        services.TryAddKeyedSingleton<ITransport>(KeyedService.AnyKey, (sp, key) => Plugins(sp).CreateTransport(Settings(sp) with { Transport = Name(key) }, LoggerFactoryOf(sp), sp));
        services.TryAddKeyedSingleton<IBroker>(KeyedService.AnyKey, (sp, key) => Plugins(sp).CreateBroker(Settings(sp) with { Broker = Name(key) }, LoggerFactoryOf(sp), sp.GetRequiredService<IRegistry>(), sp));

        services.TryAddSingleton<ISelector>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SelectorOptions>>().Value;
            return new RegistrySelector(sp.GetRequiredService<IRegistry>(), SelectionStrategies.Create(options.Strategy), options,
                sp.GetRequiredService<TimeProvider>(), LoggerFactoryOf(sp).CreateLogger<RegistrySelector>());
        });
        services.TryAddSingleton(sp => new TransportCatalog(sp.GetRequiredService<ITransport>(), Plugins(sp), Settings(sp), LoggerFactoryOf(sp), sp));
        services.TryAddSingleton(sp => new MicroClient(
            sp.GetRequiredService<ISelector>(), sp.GetRequiredService<ITransport>(), sp.GetRequiredService<CodecRegistry>(),
            sp.GetRequiredService<IOptions<ClientOptions>>().Value,
            PipelineChange<ClientMiddleware>.ApplyAll(ClientStages.CreatePipeline(), sp.GetServices<PipelineChange<ClientMiddleware>>()), sp.GetRequiredService<TimeProvider>(), LoggerFactoryOf(sp).CreateLogger<MicroClient>(),
            sp.GetRequiredService<IBroker>(), sp.GetRequiredService<TransportCatalog>().Get));
        services.TryAddSingleton<IMicroClient>(sp => sp.GetRequiredService<MicroClient>());
        services.TryAddSingleton(builder.Lifetimes);
        services.TryAddSingleton(sp => new MicroServer(
            sp.GetRequiredService<ServerOptions>(), sp.GetRequiredService<IRegistry>(), sp.GetRequiredService<ITransport>(),
            sp.GetServices<EndpointDescriptor>(), sp, sp.GetRequiredService<CodecRegistry>(), PipelineChange<ServerMiddleware>.ApplyAll(ServerStages.CreatePipeline(), sp.GetServices<PipelineChange<ServerMiddleware>>()),
            sp.GetRequiredService<TimeProvider>(), LoggerFactoryOf(sp).CreateLogger<MicroServer>(), sp.GetRequiredService<IBroker>(),
            sp.GetServices<SubscriberDescriptor>(), sp.GetServices<SubscriberMiddleware>()));
        configure?.Invoke(builder);
        return builder;
    }

    private static MicroSettings Settings(IServiceProvider sp) => sp.GetRequiredService<MicroSettings>();

    private static MicroPlugins Plugins(IServiceProvider sp) => sp.GetRequiredService<MicroPlugins>();

    private static string Name(object? key)
        => key as string ?? throw new MicroConfigurationException($"Micro components are keyed by name (a string), not by '{key}'.");

    private static ILoggerFactory LoggerFactoryOf(IServiceProvider sp)
        => sp.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
}

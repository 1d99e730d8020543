using Micro.Broker;
using Micro.Client;
using Micro.Codec;
using Micro.Registry;
using Micro.Selector;
using Micro.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Hosting;

/// <summary>
/// The client side of Micro built from settings, without a host: registry, selector, transport and client.
/// What tools (the CLI, tests, benchmarks) use to reach an environment.
/// </summary>
public sealed class MicroEnvironment : IAsyncDisposable
{
    private readonly TransportCatalog _transports;

    private MicroEnvironment(MicroSettings settings, IRegistry registry, RegistrySelector selector, TransportCatalog transports, IBroker broker, MicroClient client)
    {
        _transports = transports;
        var transport = transports.Configured;
        Broker = broker;
        Settings = settings;
        Registry = registry;
        Selector = selector;
        Transport = transport;
        Client = client;
    }

    public MicroSettings Settings { get; }

    public IRegistry Registry { get; }

    public RegistrySelector Selector { get; }

    public ITransport Transport { get; }

    public IBroker Broker { get; }

    public MicroClient Client { get; }

    public static MicroEnvironment Create(MicroSettings settings, MicroPlugins? plugins = null, ILoggerFactory? loggerFactory = null,
        IEnumerable<ClientMiddleware>? middleware = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        plugins ??= new MicroPlugins();
        loggerFactory ??= NullLoggerFactory.Instance;
        var registry = plugins.CreateRegistry(settings, loggerFactory);
        var transport = plugins.CreateTransport(settings, loggerFactory);
        var selector = new RegistrySelector(registry, settings.CreateStrategy(), SelectorOptions.Default, timeProvider, loggerFactory.CreateLogger<RegistrySelector>());
        var broker = plugins.CreateBroker(settings, loggerFactory, registry);
        var transports = new TransportCatalog(transport, plugins, settings, loggerFactory);
        var client = new MicroClient(selector, transport, CodecRegistry.Default, settings.ToClientOptions(), middleware, timeProvider, loggerFactory.CreateLogger<MicroClient>(), broker, transports.Get);
        return new MicroEnvironment(settings, registry, selector, transports, broker, client);
    }

    public async ValueTask DisposeAsync()
    {
        await Broker.DisposeAsync().ConfigureAwait(false);
        await Selector.DisposeAsync().ConfigureAwait(false);
        await _transports.DisposeAsync().ConfigureAwait(false);
        await Transport.DisposeAsync().ConfigureAwait(false);
        await Registry.DisposeAsync().ConfigureAwait(false);
    }
}

using Micro.Broker;
using Micro.Client;
using Micro.Registry;
using Micro.Selector;
using Micro.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Hosting;

/// <summary>
/// The client side of Micro built from settings, without a host: registry, selector, transport and client.
/// What tools (the CLI, tests, benchmarks) use to reach an environment. Built from the same service registrations as
/// a hosted app (<c>services.AddMicro()</c>), so both make every component the same way.
/// </summary>
public sealed class MicroEnvironment : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private MicroEnvironment(ServiceProvider services)
    {
        _services = services;
        Settings = services.GetRequiredService<MicroSettings>();
        Registry = services.GetRequiredService<IRegistry>();
        Transport = services.GetRequiredService<ITransport>();
        Selector = services.GetRequiredService<ISelector>() as RegistrySelector
            ?? throw new InvalidOperationException("MicroEnvironment needs the registry selector; an ISelector of another kind was registered.");
        Broker = services.GetRequiredService<IBroker>();
        _ = services.GetRequiredService<TransportCatalog>();
        Client = services.GetRequiredService<MicroClient>();
    }

    public MicroSettings Settings { get; }

    public IRegistry Registry { get; }

    public RegistrySelector Selector { get; }

    public ITransport Transport { get; }

    public IBroker Broker { get; }

    public MicroClient Client { get; }

    /// <summary>The services it was built from: keyed components (<c>GetRequiredKeyedService&lt;IBroker&gt;("nats")</c>), options.</summary>
    public IServiceProvider Services => _services;

    public static MicroEnvironment Create(MicroSettings settings, MicroPlugins? plugins = null, ILoggerFactory? loggerFactory = null,
        IEnumerable<ClientMiddleware>? middleware = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Create(settings, micro =>
        {
            if (plugins is not null)
            {
                micro.Services.AddSingleton(plugins);
            }

            foreach (var m in middleware ?? [])
            {
                micro.UseClientMiddleware(m);
            }
        }, loggerFactory, timeProvider);
    }

    /// <summary>An environment configured in code as a hosted app would be (<c>micro.Configure&lt;ClientOptions&gt;(...)</c>, <c>micro.AddPlugin(...)</c>).</summary>
    public static MicroEnvironment Create(MicroSettings settings, Action<MicroBuilder> configure, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configure);
        var services = new ServiceCollection();
        services.AddSingleton(settings);
        services.AddSingleton(loggerFactory ?? NullLoggerFactory.Instance);
        if (timeProvider is not null)
        {
            services.AddSingleton(timeProvider);
        }

        configure(services.AddMicro());
        var provider = services.BuildServiceProvider();
        try
        {
            return new MicroEnvironment(provider);
        }
        catch
        {
            provider.DisposeAsync().AsTask().GetAwaiter().GetResult(); // what was built before the bad setting is not left open
            throw;
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

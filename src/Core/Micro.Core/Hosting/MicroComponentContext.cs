using Micro.Registry;
using Micro.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Micro.Hosting;

/// <summary>What a plugin's factory gets to build a registry, transport or broker: the settings, the app's services, loggers.</summary>
public sealed class MicroComponentContext
{
    private readonly Func<IRegistry>? _registry;

    public MicroComponentContext(MicroSettings settings, ILoggerFactory loggerFactory, IServiceProvider? services = null, Func<IRegistry>? registry = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Settings = settings;
        LoggerFactory = loggerFactory;
        Services = services;
        _registry = registry;
    }

    /// <summary>The settings, with the name and address of the component being made (a catalog makes others than the configured one).</summary>
    public MicroSettings Settings { get; }

    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The app's services; null when a component is made outside a container.</summary>
    public IServiceProvider? Services { get; }

    /// <summary>The configured registry (what the http broker registers its subscribers in).</summary>
    public IRegistry Registry => _registry?.Invoke() ?? Services?.GetService<IRegistry>()
        ?? throw new InvalidOperationException("This component needs a registry, and none was given.");

    /// <summary>Transport limits and TLS: the app's <see cref="IOptions{TransportOptions}"/> (code configuration included), else the settings'.</summary>
    public TransportOptions TransportOptions
        => (Services?.GetService<IOptions<TransportOptions>>()?.Value ?? Settings.ToTransportOptions(LoggerFactory)) with { LoggerFactory = LoggerFactory };

    /// <summary>
    /// A plugin's own options: read from its configuration section by <paramref name="read"/> (defaults when there is
    /// none), then changed by every <c>micro.Configure&lt;T&gt;(...)</c> and the plugin's own <c>Add...(o =&gt; ...)</c>, in order.
    /// </summary>
    public T Options<T>(Func<IConfiguration?, T> read)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(read);
        return MicroConfigure<T>.ApplyAll(Services, read(Settings.Configuration));
    }
}

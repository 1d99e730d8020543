using Micro.Broker;
using Micro.Registry;
using Micro.Transport;
using Micro.Transport.Tcp;
using Microsoft.Extensions.Logging;

namespace Micro.Hosting;

/// <summary>
/// Registries and transports by name, so configuration alone chooses them (<c>--registry</c>, <c>--transport</c>).
/// The core knows <c>local</c>, <c>memory</c> and <c>tcp</c>; plugin packages add their names here, found among the
/// assemblies the app references (see <see cref="PluginLoader"/>) when configuration names one the core does not know.
/// </summary>
public sealed class MicroPlugins
{
    private readonly Dictionary<string, Func<MicroComponentContext, IRegistry>> _registries = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Func<MicroComponentContext, ITransport>> _transports = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Func<MicroComponentContext, IBroker>> _brokers = new(StringComparer.OrdinalIgnoreCase);

    private bool _referencedAdded;

    public MicroPlugins()
        : this(empty: false)
    {
    }

    internal MicroPlugins(bool empty)
    {
        _referencedAdded = empty; // a plugin's own registration is not a place to look for more
        if (empty)
        {
            return;
        }

        AddRegistry("local", c => new LocalRegistry(c.Settings.RegistryAddress, logger: c.LoggerFactory.CreateLogger<LocalRegistry>()));
        AddRegistry("memory", _ => new MemoryRegistry());
        AddTransport("tcp", c => new TcpTransport(c.TransportOptions));
        AddTransport("memory", _ => new MemoryTransport());
        AddBroker("memory", c => new MemoryBroker(c.LoggerFactory.CreateLogger<MemoryBroker>()));
    }

    public IEnumerable<string> BrokerNames => _brokers.Keys.Order();

    public MicroPlugins AddBroker(string name, Func<MicroComponentContext, IBroker> factory)
    {
        _brokers[name] = factory;
        return this;
    }

    /// <summary>
    /// The configured broker. The default one (<c>http</c>) missing, as in an app on <c>Micro.Core</c> alone, is not an
    /// error until something publishes or subscribes: an app that only calls services needs no broker.
    /// </summary>
    public IBroker CreateBroker(MicroSettings settings, ILoggerFactory loggerFactory, IRegistry registry, IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        try
        {
            return Find(_brokers, settings.Broker, "broker", () => BrokerNames)(new MicroComponentContext(settings, loggerFactory, services, () => registry));
        }
        catch (ArgumentException e) when (string.Equals(settings.Broker, MicroSettings.Default.Broker, StringComparison.OrdinalIgnoreCase))
        {
            return new UnavailableBroker(settings.Broker, e.Message);
        }
    }

    public IEnumerable<string> RegistryNames => _registries.Keys.Order();

    public IEnumerable<string> TransportNames => _transports.Keys.Order();

    public MicroPlugins AddRegistry(string name, Func<MicroComponentContext, IRegistry> factory)
    {
        _registries[name] = factory;
        return this;
    }

    public MicroPlugins AddTransport(string name, Func<MicroComponentContext, ITransport> factory)
    {
        _transports[name] = factory;
        return this;
    }

    public IRegistry CreateRegistry(MicroSettings settings, ILoggerFactory loggerFactory, IServiceProvider? services = null)
        => Find(_registries, settings.Registry, "registry", () => RegistryNames)(new MicroComponentContext(settings, loggerFactory, services));

    public ITransport CreateTransport(MicroSettings settings, ILoggerFactory loggerFactory, IServiceProvider? services = null)
        => Find(_transports, settings.Transport, "transport", () => TransportNames)(new MicroComponentContext(settings, loggerFactory, services));

    /// <summary>Copies the names <paramref name="found"/> has and this does not: names added in code are never replaced.</summary>
    internal void AddMissing(MicroPlugins found)
    {
        foreach (var (name, factory) in found._registries)
        {
            _registries.TryAdd(name, factory);
        }

        foreach (var (name, factory) in found._transports)
        {
            _transports.TryAdd(name, factory);
        }

        foreach (var (name, factory) in found._brokers)
        {
            _brokers.TryAdd(name, factory);
        }
    }

    /// <summary>
    /// The factory of that name. A name not known yet is looked for among the plugin assemblies the app references:
    /// adding the package is enough, no code change.
    /// </summary>
    private T Find<T>(Dictionary<string, T> factories, string name, string kind, Func<IEnumerable<string>> known)
    {
        if (!factories.ContainsKey(name) && !_referencedAdded)
        {
            _referencedAdded = true;
            PluginLoader.AddReferenced(this);
        }

        if (factories.TryGetValue(name, out var factory))
        {
            return factory;
        }

        // The core names no plugin; Micro's own packages are Micro.<Name> (package ids ignore case), so say that.
        var package = name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? $" If '{name}' comes from a plugin package, add it (Micro's own: dotnet add package Micro.{char.ToUpperInvariant(name[0])}{name[1..]})"
            : "";
        throw new MicroConfigurationException(
            $"{kind}: unknown {kind} '{name}'; available: {string.Join(", ", known())}." + package +
            (package.Length == 0 ? "" : PluginLoader.CanLoadByName
                ? "."
                : "; this is a Native AOT build, so also name it in code: builder.Micro.AddPlugin(new ...Plugin()) from that package."));
    }
}

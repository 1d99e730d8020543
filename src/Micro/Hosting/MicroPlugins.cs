using Micro.Broker;
using Micro.Registry;
using Micro.Transport;
using Micro.Transport.Tcp;
using Microsoft.Extensions.Logging;

namespace Micro.Hosting;

/// <summary>
/// Registries and transports by name, so configuration alone chooses them (<c>--registry</c>, <c>--transport</c>).
/// The core knows <c>local</c>, <c>memory</c> and <c>tcp</c>; plugin packages add their names here.
/// </summary>
public sealed class MicroPlugins
{
    private readonly Dictionary<string, Func<MicroSettings, ILoggerFactory, IRegistry>> _registries = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Func<MicroSettings, ILoggerFactory, ITransport>> _transports = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Func<MicroSettings, ILoggerFactory, IRegistry, IBroker>> _brokers = new(StringComparer.OrdinalIgnoreCase);

    public MicroPlugins()
    {
        AddRegistry("local", (s, l) => new LocalRegistry(s.RegistryAddress, logger: l.CreateLogger<LocalRegistry>()));
        AddRegistry("memory", (_, _) => new MemoryRegistry());
        AddTransport("tcp", (s, l) => new TcpTransport(s.ToTransportOptions(l) with { LoggerFactory = l }));
        AddTransport("memory", (_, _) => new MemoryTransport());
        AddTransport("http", (s, l) => new Transport.Http.HttpTransport(s.ToTransportOptions(l) with { LoggerFactory = l }));
        AddBroker("http", (s, l, r) => new HttpBroker(r, s.BrokerAddress, s.RegisterTtl, s.RegisterInterval, l, secret: s.BrokerHttpSecret, allowLinkLocal: s.AllowLinkLocal));
        AddBroker("memory", (_, l, _) => new MemoryBroker(l.CreateLogger<MemoryBroker>()));
    }

    public IEnumerable<string> BrokerNames => _brokers.Keys.Order();

    public MicroPlugins AddBroker(string name, Func<MicroSettings, ILoggerFactory, IRegistry, IBroker> factory)
    {
        _brokers[name] = factory;
        return this;
    }

    public IBroker CreateBroker(MicroSettings settings, ILoggerFactory loggerFactory, IRegistry registry)
        => Find(_brokers, settings.Broker, "broker", () => BrokerNames)(settings, loggerFactory, registry);

    public IEnumerable<string> RegistryNames => _registries.Keys.Order();

    public IEnumerable<string> TransportNames => _transports.Keys.Order();

    public MicroPlugins AddRegistry(string name, Func<MicroSettings, ILoggerFactory, IRegistry> factory)
    {
        _registries[name] = factory;
        return this;
    }

    public MicroPlugins AddTransport(string name, Func<MicroSettings, ILoggerFactory, ITransport> factory)
    {
        _transports[name] = factory;
        return this;
    }

    public IRegistry CreateRegistry(MicroSettings settings, ILoggerFactory loggerFactory)
        => Find(_registries, settings.Registry, "registry", () => RegistryNames)(settings, loggerFactory);

    public ITransport CreateTransport(MicroSettings settings, ILoggerFactory loggerFactory)
        => Find(_transports, settings.Transport, "transport", () => TransportNames)(settings, loggerFactory);

    /// <summary>
    /// The factory of that name. A name not known yet is looked for in an installed plugin assembly
    /// (<c>Micro.Nats</c> for <c>nats</c>...): adding the package is enough, no code change.
    /// </summary>
    private T Find<T>(Dictionary<string, T> factories, string name, string kind, Func<IEnumerable<string>> known)
    {
        if (!factories.TryGetValue(name, out var factory) && PluginLoader.TryLoad(name, this))
        {
            factories.TryGetValue(name, out factory);
        }

        if (factory is not null)
        {
            return factory;
        }

        // A plugin's name whose package is missing says which package; any other name lists what plugin packages add too.
        var plugin = PluginLoader.AssemblyFor(name);
        var more = PluginLoader.Offering(kind).Where(p => !factories.ContainsKey(p.Name)).Select(p => $"{p.Name} ({p.Assembly})").ToList();
        throw new ArgumentException(
            $"{kind}: unknown {kind} '{name}'; available: {string.Join(", ", known())}" +
            (more.Count > 0 && plugin is null ? $"; with a plugin package: {string.Join(", ", more)}" : "") +
            (plugin is { } assembly
                ? $" (for '{name}', add the {assembly} package" +
                  (System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported ? ")." : $"; this is a Native AOT build, so also name it in code: builder.Micro.AddPlugin(new ...Plugin()) from {assembly}).")
                : "."));
    }
}

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

    public MicroPlugins()
    {
        AddRegistry("local", (s, l) => new LocalRegistry(s.RegistryAddress, logger: l.CreateLogger<LocalRegistry>()));
        AddRegistry("memory", (_, _) => new MemoryRegistry());
        AddTransport("tcp", (s, l) => new TcpTransport(s.ToTransportOptions() with { LoggerFactory = l }));
        AddTransport("memory", (_, _) => new MemoryTransport());
    }

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
        => _registries.TryGetValue(settings.Registry, out var f)
            ? f(settings, loggerFactory)
            : throw new ArgumentException($"registry: unknown registry '{settings.Registry}'; available: {string.Join(", ", RegistryNames)}.");

    public ITransport CreateTransport(MicroSettings settings, ILoggerFactory loggerFactory)
        => _transports.TryGetValue(settings.Transport, out var f)
            ? f(settings, loggerFactory)
            : throw new ArgumentException($"transport: unknown transport '{settings.Transport}'; available: {string.Join(", ", TransportNames)}.");
}

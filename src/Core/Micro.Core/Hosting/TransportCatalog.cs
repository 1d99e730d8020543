using System.Collections.Concurrent;
using System.Net;
using Micro.Diagnostics;
using Micro.Registry;
using Micro.Transport;
using Microsoft.Extensions.Logging;

namespace Micro.Hosting;

/// <summary>
/// The transports a client may need: the configured one, and on demand the one a node advertises in its
/// <c>transport</c> metadata, so one environment can mix tcp, http, nats and rabbitmq nodes. A NATS or RabbitMQ node
/// also names its server (<c>transport_address</c>); other transports are made on --transport_address when the
/// configured transport does not need it, else on their defaults.
/// </summary>
public sealed class TransportCatalog(ITransport configured, MicroPlugins plugins, MicroSettings settings, ILoggerFactory loggerFactory, IServiceProvider? services = null) : IAsyncDisposable
{
    /// <summary>Servers nodes may name beyond the configured ones: registry contents are anyone's, connections are not free.</summary>
    public const int MaxAdvertisedServers = 8;

    private readonly ConcurrentDictionary<string, Lazy<ITransport?>> _others = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string Name, string Server), Lazy<ITransport?>> _advertised = new(); // null: refused
    private readonly ILogger _logger = loggerFactory.CreateLogger<TransportCatalog>();
    private readonly LogThrottle _refusals = new();

    public ITransport Configured => configured;

    /// <summary>The transport called <paramref name="name"/>, or null when no plugin provides it.</summary>
    public ITransport? Get(string name) => Get(name, null);

    /// <summary>
    /// The transport called <paramref name="name"/> on the server a node advertises (<paramref name="serverAddress"/>,
    /// when it names one this side may dial), else on the configured or default server; null when no plugin provides it.
    /// </summary>
    public ITransport? Get(string name, string? serverAddress)
    {
        var sameKind = string.Equals(name, configured.Name, StringComparison.OrdinalIgnoreCase);
        if (sameKind && (serverAddress is null || configured is not IServerTransport || Same(configured, serverAddress)))
        {
            return configured;
        }

        var usual = sameKind ? configured : Usual(name);
        if (serverAddress is null || usual is null || Same(usual, serverAddress))
        {
            return usual;
        }

        // Decided once per server (a call must not parse, validate or resolve it again): its transport, or a refusal.
        if (_advertised.TryGetValue((name, serverAddress), out var known))
        {
            return known.Value ?? usual;
        }

        if (_advertised.Count >= MaxAdvertisedServers)
        {
            if (_refusals.ShouldLog())
            {
                _logger.LogWarning("Nodes advertise more than {Max} {Transport} servers; '{Server}' is not dialled", MaxAdvertisedServers, name, serverAddress);
            }

            return usual;
        }

        if (!Dialable(name, serverAddress, out var problem))
        {
            _logger.LogWarning("A {Transport} node advertises server '{Server}', which is not dialled ({Problem}); using {Usual}", name, serverAddress, problem, (usual as IServerTransport)?.ServerAddress);
            _advertised.TryAdd((name, serverAddress), new Lazy<ITransport?>((ITransport?)null));
            return usual;
        }

        return _advertised.GetOrAdd((name, serverAddress), key => new Lazy<ITransport?>(() => Create(key.Name, key.Server))).Value ?? usual;
    }

    private ITransport? Usual(string name)
        => _others.GetOrAdd(name, n => new Lazy<ITransport?>(() => Create(n, AddressFor(n)))).Value;

    private ITransport? Create(string name, string? address)
    {
        try
        {
            return plugins.CreateTransport(settings with { Transport = name, TransportAddress = address }, loggerFactory, services);
        }
        catch (ArgumentException e)
        {
            _logger.LogWarning("Nodes advertise transport '{Transport}', which is not available here: {Reason}", name, e.Message);
            return null;
        }
    }

    private static bool Same(ITransport transport, string serverAddress)
        => transport is IServerTransport server && string.Equals(server.ServerAddress, serverAddress, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A server a node names is dialled only as <c>scheme://host:port</c> of that transport's schemes, with no user info,
    /// path or query, and (unless --allow_link_local) not on a link-local or metadata address, resolved names included.
    /// </summary>
    private bool Dialable(string name, string serverAddress, out string problem)
    {
        string[] schemes = name.ToLowerInvariant() switch
        {
            "nats" => ["nats", "tls"],
            "rabbitmq" => ["amqp", "amqps"],
            _ => [],
        };
        problem = "";
        if (!Uri.TryCreate(serverAddress, UriKind.Absolute, out var uri) || !schemes.Contains(uri.Scheme)
            || uri.UserInfo.Length > 0 || uri.PathAndQuery is not ("" or "/") || uri.Fragment.Length > 0 || uri.Port <= 0)
        {
            problem = $"not {string.Join(" or ", schemes.Select(s => s + "://host:port"))}";
            return false;
        }

        var host = uri.Host.Trim('[', ']');
        if (!NodeAddress.IsValid(uri.HostNameType == UriHostNameType.IPv6 ? $"[{host}]:{uri.Port}" : $"{host}:{uri.Port}", out problem))
        {
            return false;
        }

        if (settings.AllowLinkLocal)
        {
            return true;
        }

        try
        {
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : Dns.GetHostAddresses(host);
            if (addresses.Any(NodeAddress.IsLinkLocal))
            {
                problem = "a link-local or metadata address; --allow_link_local allows it";
                return false;
            }
        }
        catch (System.Net.Sockets.SocketException e)
        {
            problem = "its name does not resolve: " + e.Message;
            return false;
        }

        return true;
    }

    /// <summary>
    /// The server address for transport <paramref name="name"/>: --transport_address when the configured transport
    /// has no use for one (tcp, http and memory clients dial each node's own address), so a CLI reaching NATS nodes
    /// with <c>--transport_address nats://host:4333</c> dials that server, not the default. When the configured
    /// transport is itself a server-based one (nats, rabbitmq), its address names that server, not this one's.
    /// </summary>
    private string? AddressFor(string name)
        => configured.Name is "tcp" or "http" or "memory" && !string.Equals(name, configured.Name, StringComparison.OrdinalIgnoreCase) ? settings.TransportAddress : null;

    public async ValueTask DisposeAsync()
    {
        foreach (var other in _others.Values.Concat(_advertised.Values).Where(l => l.IsValueCreated && l.Value is not null))
        {
            await other.Value!.DisposeAsync().ConfigureAwait(false);
        }
    }
}

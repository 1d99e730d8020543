using System.Collections.Concurrent;
using Micro.Transport;
using Microsoft.Extensions.Logging;

namespace Micro.Hosting;

/// <summary>
/// The transports a client may need: the configured one, and on demand the one a node advertises in its
/// <c>transport</c> metadata, so one environment can mix tcp, http, nats and rabbitmq nodes. Transports other than the
/// configured one use --transport_address when the configured transport does not need it, else their defaults.
/// </summary>
public sealed class TransportCatalog(ITransport configured, MicroPlugins plugins, MicroSettings settings, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<ITransport?>> _others = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILogger _logger = loggerFactory.CreateLogger<TransportCatalog>();

    public ITransport Configured => configured;

    /// <summary>The transport called <paramref name="name"/>, or null when no plugin provides it.</summary>
    public ITransport? Get(string name)
    {
        if (string.Equals(name, configured.Name, StringComparison.OrdinalIgnoreCase))
        {
            return configured;
        }

        return _others.GetOrAdd(name, n => new Lazy<ITransport?>(() =>
        {
            try
            {
                return plugins.CreateTransport(settings with { Transport = n, TransportAddress = AddressFor(n) }, loggerFactory);
            }
            catch (ArgumentException e)
            {
                _logger.LogWarning("Nodes advertise transport '{Transport}', which is not available here: {Reason}", n, e.Message);
                return null;
            }
        })).Value;
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
        foreach (var other in _others.Values.Where(l => l.IsValueCreated && l.Value is not null))
        {
            await other.Value!.DisposeAsync().ConfigureAwait(false);
        }
    }
}

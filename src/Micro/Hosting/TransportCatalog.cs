using System.Collections.Concurrent;
using Micro.Transport;
using Microsoft.Extensions.Logging;

namespace Micro.Hosting;

/// <summary>
/// The transports a client may need: the configured one, and on demand the one a node advertises in its
/// <c>transport</c> metadata, so one environment can mix tcp, http, nats and rabbitmq nodes. Transports other than the
/// configured one use their default addresses (NATS and RabbitMQ on 127.0.0.1 unless configured).
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
                return plugins.CreateTransport(settings with { Transport = n, TransportAddress = null }, loggerFactory);
            }
            catch (ArgumentException e)
            {
                _logger.LogWarning("Nodes advertise transport '{Transport}', which is not available here: {Reason}", n, e.Message);
                return null;
            }
        })).Value;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var other in _others.Values.Where(l => l.IsValueCreated && l.Value is not null))
        {
            await other.Value!.DisposeAsync().ConfigureAwait(false);
        }
    }
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Transport;

/// <summary>Settings shared by transports. Immutable; change with <c>with { ... }</c>.</summary>
public sealed record TransportOptions
{
    public static TransportOptions Default { get; } = new();

    /// <summary>Largest message (headers and body) sent or accepted. Default 4 MiB.</summary>
    public int MaxMessageSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Connections kept per server address; requests are multiplexed over them.</summary>
    public int PoolSize { get; init; } = 2;

    /// <summary>How long establishing a connection may take.</summary>
    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>TLS for connections (tcp transport): null is plain TCP.</summary>
    public TransportTls? Tls { get; init; }

    /// <summary>How long a TLS handshake may take before the connection is dropped.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

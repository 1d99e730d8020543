using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Transport;

/// <summary>Settings shared by transports. Immutable; change with <c>with { ... }</c>.</summary>
public sealed record TransportOptions
{
    public static TransportOptions Default { get; } = new();

    /// <summary>Largest message (headers and body) sent or accepted. Default 4 MiB.</summary>
    public int MaxMessageSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Refuses a request bigger than <see cref="MaxMessageSize"/> (body plus headers) before anything is sent: the check
    /// of the transports that carry messages whole (http, NATS, RabbitMQ); tcp measures its frames itself.
    /// </summary>
    public void EnsureFits(TransportMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var size = request.Body.Length + request.Headers.Sum(h => h.Key.Length + h.Value.Length + 4);
        if (size > MaxMessageSize)
        {
            throw MicroException.TooLarge("go.micro.transport", $"message of {size} bytes exceeds the maximum message size of {MaxMessageSize} bytes");
        }
    }

    /// <summary>Most headers one message may carry; a request over it gets a 400 and the connection stays open. Default 64.</summary>
    public int MaxHeaderCount { get; init; } = 64;

    /// <summary>Most bytes of header names and values in one message; a request over it gets a 400. Default 64 KiB.</summary>
    public int MaxHeaderBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Most requests and streams one client connection may have running on a server at once (tcp transport); one more
    /// gets a 503, which the client retries on another node. Default 4096.
    /// </summary>
    public int MaxConcurrentRequests { get; init; } = 4096;

    /// <summary>Most connections a server keeps from one client IP address (tcp transport); more are refused with a reason. Default 512.</summary>
    public int MaxConnectionsPerAddress { get; init; } = 512;

    /// <summary><c>--max_connections</c>: connections a tcp server keeps in all (TLS handshakes included); more are closed at once. Default 10000.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>TLS handshakes a tcp server runs at once; connections beyond are closed at once, so a handshake flood is bounded. Default 256.</summary>
    public int MaxPendingHandshakes { get; init; } = 256;

    /// <summary>
    /// <c>--max_queued_bytes</c>: bytes of replies a tcp server queues for one connection whose peer is not reading. Past
    /// it the server stops reading that connection's requests until the peer catches up (backpressure), so a client that
    /// never reads cannot grow the server's memory. Default 16 MiB (at least two maximum-size messages).
    /// </summary>
    public int MaxQueuedBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// <c>--frame_read_timeout</c>: how long a started frame may take to arrive in full; a peer that sends part of a
    /// frame and stops is disconnected. Default 30 s.
    /// </summary>
    public TimeSpan FrameReadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Connections kept per server address; requests are multiplexed over them.</summary>
    public int PoolSize { get; init; } = 2;

    /// <summary>How long establishing a connection may take.</summary>
    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>TLS for connections (tcp transport): null is plain TCP.</summary>
    public TransportTls? Tls { get; init; }

    /// <summary>
    /// <c>--allow_link_local</c>: dial nodes whose address resolves to a link-local or metadata address (169.254.0.0/16,
    /// fe80::/10, fd00:ec2::254). Off by default: anyone who can register could otherwise point a caller at the cloud
    /// metadata service.
    /// </summary>
    public bool AllowLinkLocal { get; init; }

    /// <summary>How long a TLS handshake may take before the connection is dropped.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

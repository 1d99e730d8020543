using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Micro.Transport.Tcp;

/// <summary>
/// The default transport: length-prefixed frames over tcp, many requests multiplexed on a small pool of
/// connections per address (System.IO.Pipelines for framing).
/// </summary>
public sealed class TcpTransport : ITransport
{
    private readonly TransportOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, TcpConnectionPool> _pools = new(StringComparer.Ordinal);

    public TcpTransport(TransportOptions? options = null)
    {
        _options = options ?? TransportOptions.Default;
        if (_options.MaxMessageSize < FrameCodec.LengthSize + FrameCodec.FixedSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxMessageSize, "MaxMessageSize is too small to hold a frame.");
        }

        _logger = _options.LoggerFactory.CreateLogger<TcpTransport>();
    }

    public string Name => "tcp";

    public TransportOptions Options => _options;

    public async ValueTask<ITransportListener> ListenAsync(string address, ITransportHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var endPoint = await TcpAddress.ResolveAsync(address, cancellationToken).ConfigureAwait(false);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endPoint);
            socket.Listen(512);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new InvalidOperationException($"Cannot listen on {address}: {e.Message}", e);
        }

        var listener = new TcpListenerLoop(socket, handler, _options, _logger);
        listener.Start();
        return listener;
    }

    public async ValueTask<TransportMessage> RequestAsync(string address, TransportMessage request, CancellationToken cancellationToken = default)
    {
        var pool = _pools.GetOrAdd(address, static (a, self) => new TcpConnectionPool(a, self._options, self._logger), this);
        var connection = await pool.GetAsync(cancellationToken).ConfigureAwait(false);
        return await connection.RequestAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<ITransportStream> OpenStreamAsync(string address, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken = default)
    {
        var pool = _pools.GetOrAdd(address, static (a, self) => new TcpConnectionPool(a, self._options, self._logger), this);
        var connection = await pool.GetAsync(cancellationToken).ConfigureAwait(false);
        // The client hands its own dictionary over; anything else is copied once (the frame writer wants the concrete type).
        return connection.OpenStream(headers as Dictionary<string, string> ?? new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pool in _pools.Values)
        {
            await pool.DisposeAsync().ConfigureAwait(false);
        }

        _pools.Clear();
    }

    private sealed class TcpListenerLoop(Socket socket, ITransportHandler handler, TransportOptions options, ILogger logger) : ITransportListener
    {
        private readonly ConcurrentDictionary<TcpServerConnection, byte> _connections = new();
        private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
        private readonly CancellationTokenSource _stop = new();
        private int _open; // connections held, handshakes included
        private int _handshakes;
        private readonly Diagnostics.LogThrottle _refusalLog = new();
        private Task? _accept;

        public string Address { get; } = TcpAddress.Format((IPEndPoint)socket.LocalEndPoint!);

        public void Start() => _accept = Task.Run(AcceptLoopAsync);

        public async ValueTask StopAcceptingAsync()
        {
            if (!_stop.IsCancellationRequested)
            {
                await _stop.CancelAsync().ConfigureAwait(false);
                socket.Dispose();
            }

            if (_accept is not null)
            {
                await _accept.ConfigureAwait(false);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopAcceptingAsync().ConfigureAwait(false);
            await Task.WhenAll(_connections.Keys.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
            _connections.Clear();
            _stop.Dispose();
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket accepted;
                try
                {
                    accepted = await socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || _stop.IsCancellationRequested)
                {
                    return;
                }
                catch (SocketException e)
                {
                    // Out of file descriptors and the like: keep serving the connections we have.
                    logger.LogWarning(e, "Accept failed on {Address}", Address);
                    await Task.Delay(100).ConfigureAwait(false);
                    continue;
                }

                // Counted from accept, before any handshake, so neither a connection flood nor a handshake flood is unbounded.
                var address = (accepted.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
                var open = Interlocked.Increment(ref _open);
                var fromAddress = _perAddress.AddOrUpdate(address, 1, static (_, n) => n + 1);
                if (open > options.MaxConnections || (options.Tls is not null && fromAddress > options.MaxConnectionsPerAddress))
                {
                    // Over the total (or, with TLS, where no error frame can be sent yet, over the per-address limit): closed at once.
                    LogRefusal(open > options.MaxConnections
                        ? $"{open - 1} connections are open (the limit is {options.MaxConnections}, --max_connections)"
                        : $"too many connections from {address} (the limit is {options.MaxConnectionsPerAddress}, --max_connections_per_address)");
                    accepted.Dispose();
                    Release(address);
                    continue;
                }

                if (options.Tls is { } tls)
                {
                    if (Interlocked.Increment(ref _handshakes) > options.MaxPendingHandshakes)
                    {
                        Interlocked.Decrement(ref _handshakes);
                        LogRefusal($"{options.MaxPendingHandshakes} TLS handshakes are already running");
                        accepted.Dispose();
                        Release(address);
                        continue;
                    }

                    // The handshake runs beside the accept loop: a slow or silent client holds up only itself.
                    _ = Task.Run(async () =>
                    {
                        Stream? stream;
                        try
                        {
                            stream = await TlsHandshake.ServerAsync(accepted, tls, options.HandshakeTimeout, logger, _stop.Token).ConfigureAwait(false);
                        }
                        finally
                        {
                            Interlocked.Decrement(ref _handshakes);
                        }

                        if (stream is null)
                        {
                            Release(address);
                            return;
                        }

                        await ServeAsync(address, fromAddress, new TcpConnection(accepted, stream, FrameLimits.ForServer(options), logger)).ConfigureAwait(false);
                    });
                    continue;
                }

                _ = ServeAsync(address, fromAddress, new TcpConnection(accepted, FrameLimits.ForServer(options), logger));
            }
        }

        /// <summary>At most one refusal line a second: a flood must not turn into a flood of log lines.</summary>
        private void LogRefusal(string reason)
        {
            if (_refusalLog.ShouldLog())
            {
                logger.LogWarning("Refused a connection on {Address}: {Reason}", Address, reason);
            }
        }

        private async Task ServeAsync(IPAddress address, int fromAddress, TcpConnection accepted)
        {
            if (fromAddress > options.MaxConnectionsPerAddress)
            {
                var reason = $"too many connections from {address} (the limit is {options.MaxConnectionsPerAddress}, --max_connections_per_address)";
                logger.LogWarning("Refused a connection on {Address}: {Reason}", Address, reason);
                try
                {
                    await accepted.RefuseAsync(MicroException.Unavailable("go.micro.transport", reason)).ConfigureAwait(false);
                    await accepted.DisposeAsync().ConfigureAwait(false);
                }
                finally
                {
                    Release(address);
                }

                return;
            }

            var connection = new TcpServerConnection(accepted, handler, options.MaxConcurrentRequests, logger);
            _connections[connection] = 0;
            connection.Closed.Register(static s =>
            {
                var (self, c, a) = ((TcpListenerLoop, TcpServerConnection, IPAddress))s!;
                self._connections.TryRemove(c, out _);
                self.Release(a);
            }, (this, connection, address));
            connection.Start();
        }

        private void Release(IPAddress address)
        {
            Interlocked.Decrement(ref _open);
            while (true)
            {
                var n = _perAddress.GetValueOrDefault(address);
                if (n == 0 || (n == 1 ? _perAddress.TryRemove(KeyValuePair.Create(address, n)) : _perAddress.TryUpdate(address, n - 1, n)))
                {
                    return;
                }
            }
        }
    }
}

using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Micro.Transport.Tcp;

/// <summary>A few connections to one address, opened on demand and replaced when they fail; requests spread across them.</summary>
internal sealed class TcpConnectionPool : IAsyncDisposable
{
    private readonly string _address;
    private readonly TransportOptions _options;
    private readonly ILogger _logger;
    private readonly TcpClientConnection?[] _slots;
    private readonly SemaphoreSlim[] _dialGates;
    private int _next;

    public TcpConnectionPool(string address, TransportOptions options, ILogger logger)
    {
        _address = address;
        _options = options;
        _logger = logger;
        _slots = new TcpClientConnection?[Math.Max(1, options.PoolSize)];
        _dialGates = _slots.Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    }

    public ValueTask<TcpClientConnection> GetAsync(CancellationToken cancellationToken)
    {
        var slot = (int)((uint)Interlocked.Increment(ref _next) % (uint)_slots.Length);
        var connection = Volatile.Read(ref _slots[slot]);
        return connection is { IsUsable: true } ? ValueTask.FromResult(connection) : DialSlotAsync(slot, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            var c = Interlocked.Exchange(ref _slots[i], null);
            if (c is not null)
            {
                await c.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<TcpClientConnection> DialSlotAsync(int slot, CancellationToken cancellationToken)
    {
        await _dialGates[slot].WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var existing = Volatile.Read(ref _slots[slot]);
            if (existing is { IsUsable: true })
            {
                return existing;
            }

            var socket = await DialAsync(_address, _options, cancellationToken).ConfigureAwait(false);
            var stream = _options.Tls is { } tls ? await TlsHandshake.ClientAsync(socket, _address, tls, _options.HandshakeTimeout, cancellationToken).ConfigureAwait(false) : new NetworkStream(socket, ownsSocket: true);
            var connection = new TcpClientConnection(new TcpConnection(socket, stream, FrameLimits.From(_options), _logger));
            Volatile.Write(ref _slots[slot], connection);
            if (existing is not null)
            {
                _ = existing.DisposeAsync().AsTask();
            }

            return connection;
        }
        finally
        {
            _dialGates[slot].Release();
        }
    }

    internal static async ValueTask<Socket> DialAsync(string address, TransportOptions options, CancellationToken cancellationToken)
    {
        var timeout = options.DialTimeout;
        var endPoint = await DialGuard.ResolveAsync(address, options.AllowLinkLocal, cancellationToken).ConfigureAwait(false);
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var dialTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        dialTimeout.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(endPoint, dialTimeout.Token).ConfigureAwait(false);
            return socket;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new MicroException("go.micro.transport", 500, $"dial tcp {address}: timed out after {timeout.TotalSeconds:0.###} s") { IsTransportError = true };
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new MicroException("go.micro.transport", 500, $"dial tcp {address}: {e.Message}", inner: e) { IsTransportError = true };
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Micro.Transport.Http;

/// <summary>
/// Streams over the http transport: one WebSocket (<c>GET /stream</c>) per stream, each WebSocket message one
/// <see cref="MessageStream"/> op (open, data, end, credit, cancel), so flow control, cancellation and errors work as on
/// every other transport. A message is <c>[u16 header count]([u16 key][key][u32 value][value])*</c> then the body.
/// </summary>
public static class WebSocketStreams
{
    public const string Path = "/stream";

    /// <summary>Client side: connects, sends open with the request headers and returns the stream.</summary>
    internal static async ValueTask<ITransportStream> OpenAsync(string address, IReadOnlyDictionary<string, string> headers, TransportOptions options, CancellationToken cancellationToken)
    {
        await DialGuard.ResolveAsync(address, options.AllowLinkLocal, cancellationToken).ConfigureAwait(false); // host:port only, and not link-local
        return await OpenAsync(new Uri($"{(options.Tls is null ? "ws" : "wss")}://{address}{Path}"), headers, options, options.Tls is { } tls ? o =>
        {
            if (tls.Certificate is not null)
            {
                o.ClientCertificates = [tls.Certificate];
            }

            o.RemoteCertificateValidationCallback = (_, certificate, _, errors) => tls.ValidateServer(certificate, errors);
        } : null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Client side at any WebSocket URL speaking this framing (the proxy's <c>/stream</c>, for example).</summary>
    /// <param name="uri">The WebSocket URL.</param>
    /// <param name="headers">Sent with the open op: what is called.</param>
    /// <param name="options">Dial timeout and message size limit.</param>
    /// <param name="configure">Sets up the socket (an Authorization header, say).</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    public static async ValueTask<ITransportStream> OpenAsync(Uri uri, IReadOnlyDictionary<string, string> headers, TransportOptions options, Action<ClientWebSocketOptions>? configure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(options);
        var address = uri.Authority;
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        configure?.Invoke(socket.Options);
        try
        {
            using var dial = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            dial.CancelAfter(options.DialTimeout);
            await socket.ConnectAsync(uri, dial.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new MicroException("go.micro.transport", 500, $"http {address}: cannot open a stream: {e.Message}", inner: e) { IsTransportError = true };
        }

        var connection = new Connection(socket, options.MaxMessageSize);
        var open = new Dictionary<string, string>(headers) { [MessageStream.OpHeader] = MessageStream.OpenOp, [MessageStream.IdHeader] = "1" };
        await connection.SendAsync(open, default).ConfigureAwait(false);
        var stream = new MessageStream((_, _, body, h) => connection.SendAsync(h, body), "1", address, headers, _ => connection.Close());
        connection.Pump(stream);
        return stream;
    }

    /// <summary>Server side: accepts the WebSocket, reads open, and serves the stream with <paramref name="handler"/>.</summary>
    public static async Task ServeAsync(HttpContext context, ITransportStreamHandler handler, long maxMessageSize)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("streams are opened with a WebSocket upgrade", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false); // disposed by the connection's Close
        var connection = new Connection(socket, maxMessageSize);
        var first = await connection.ReceiveAsync(context.RequestAborted).ConfigureAwait(false);
        if (first is not { } open || !open.Headers.TryGetValue(MessageStream.OpHeader, out var op) || op != MessageStream.OpenOp)
        {
            await socket.CloseAsync(WebSocketCloseStatus.ProtocolError, "expected an open message", CancellationToken.None).ConfigureAwait(false);
            return;
        }

        var peer = new TransportPeer($"{context.Connection.LocalIpAddress}:{context.Connection.LocalPort}", $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}");
        var stream = MessageStream.Serve(handler, (_, _, body, h) => connection.SendAsync(h, body), "1", "client", open.Headers, peer, _ => connection.Close());
        await connection.PumpAsync(stream).ConfigureAwait(false);
    }

    private sealed class Connection(WebSocket socket, long maxMessageSize)
    {
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private readonly CancellationTokenSource _closed = new();
        private int _closing;

        public async Task SendAsync(Dictionary<string, string> headers, ReadOnlyMemory<byte> body)
        {
            if (Volatile.Read(ref _closing) == 1 && headers.TryGetValue(MessageStream.OpHeader, out var op) && op is "credit" or "cancel")
            {
                return; // the stream is over: credit for, or cancelling, it means nothing any more
            }

            var size = 2 + HeaderBlock.Measure(headers) + body.Length;
            var buffer = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                var span = buffer.AsSpan();
                BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)headers.Count);
                var at = 2 + HeaderBlock.Write(span[2..], headers);
                body.Span.CopyTo(span[at..]);
                at += body.Length;
                await _sendLock.WaitAsync(_closed.Token).ConfigureAwait(false);
                try
                {
                    await socket.SendAsync(buffer.AsMemory(0, at), WebSocketMessageType.Binary, endOfMessage: true, _closed.Token).ConfigureAwait(false);
                }
                finally
                {
                    _sendLock.Release();
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                throw new MicroException("go.micro.transport", 500, $"stream connection lost: {e.Message}", inner: e) { IsTransportError = true };
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        public async Task<(Dictionary<string, string> Headers, byte[] Body)?> ReceiveAsync(CancellationToken cancellationToken)
        {
            using var message = new MemoryStream();
            var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                while (true)
                {
                    var result = await socket.ReceiveAsync(chunk.AsMemory(), cancellationToken).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return null;
                    }

                    if (message.Length + result.Count > maxMessageSize)
                    {
                        throw MicroException.TooLarge("go.micro.transport", $"stream message exceeds the maximum message size of {maxMessageSize} bytes");
                    }

                    message.Write(chunk, 0, result.Count);
                    if (result.EndOfMessage)
                    {
                        return Parse(message.GetBuffer().AsSpan(0, (int)message.Length));
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }

        private static (Dictionary<string, string>, byte[]) Parse(ReadOnlySpan<byte> data)
        {
            try
            {
                var count = BinaryPrimitives.ReadUInt16BigEndian(data);
                var headers = new Dictionary<string, string>(count, StringComparer.OrdinalIgnoreCase);
                var at = 2;
                for (var i = 0; i < count; i++)
                {
                    int n = BinaryPrimitives.ReadUInt16BigEndian(data[at..]);
                    var key = Encoding.UTF8.GetString(data.Slice(at + 2, n));
                    at += 2 + n;
                    n = checked((int)BinaryPrimitives.ReadUInt32BigEndian(data[at..]));
                    headers[key] = Encoding.UTF8.GetString(data.Slice(at + 4, n));
                    at += 4 + n;
                }

                return (headers, data[at..].ToArray());
            }
            catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException)
            {
                throw MicroException.BadRequest("go.micro.transport", "malformed stream message");
            }
        }

        /// <summary>
        /// Feeds the peer's ops to the stream until the peer closes its side; a lost socket aborts the stream. Reading goes
        /// on after this side closed, so the socket is never torn down with unread data (which would reset the connection
        /// and could cut off what the peer has not read yet).
        /// </summary>
        public async Task PumpAsync(MessageStream stream)
        {
            try
            {
                while (await ReceiveAsync(_closed.Token).ConfigureAwait(false) is { } message)
                {
                    var op = message.Headers.TryGetValue(MessageStream.OpHeader, out var o) ? o : "";
                    stream.OnMessage(op, message.Headers, message.Body);
                }

                stream.Abort(new MicroException("go.micro.transport", 499, "stream closed by the other side"));
            }
            catch (MicroException e)
            {
                stream.Abort(e);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                stream.Abort(new MicroException("go.micro.transport", 500, $"stream connection lost: {e.Message}") { IsTransportError = true });
            }
            finally
            {
                await CloseOutputAsync().ConfigureAwait(false);
                socket.Dispose();
            }
        }

        public void Pump(MessageStream stream) => _ = Task.Run(() => PumpAsync(stream));

        /// <summary>Once this side is done with the stream: closes this side; the pump ends when the peer closes too.</summary>
        public void Close()
        {
            if (Interlocked.Exchange(ref _closing, 1) == 0)
            {
                _ = Task.Run(CloseOutputAsync);
            }
        }

        private async Task CloseOutputAsync()
        {
            Volatile.Write(ref _closing, 1);
            await _sendLock.WaitAsync().ConfigureAwait(false);
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
            }
            finally
            {
                _sendLock.Release();
                _closed.CancelAfter(TimeSpan.FromSeconds(5)); // a peer that never closes its side is cut off
            }
        }
    }
}

using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Micro.Transport.Tcp;

/// <summary>
/// One tcp connection, either end: a reader loop decoding frames and a writer loop that batches queued frames
/// into as few socket writes as the load allows. A bad frame closes only this connection, with a logged reason.
/// </summary>
internal sealed class TcpConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly Channel<OutgoingFrame> _outgoing = Channel.CreateUnbounded<OutgoingFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closed = new();
    private readonly ILogger _logger;
    private readonly FrameLimits _limits;
    private long _queuedBytes;
    private bool _framed; // the first bytes were Micro's framing
    private TaskCompletionSource? _drained; // set while the reader waits for queued replies to drain
    private Task? _readLoop;
    private Task? _writeLoop;
    private string? _closeReason;

    public TcpConnection(Socket socket, FrameLimits limits, ILogger logger)
        : this(socket, new NetworkStream(socket, ownsSocket: true), limits, logger)
    {
    }

    /// <param name="socket">The connected socket.</param>
    /// <param name="stream">What the frames go through: the socket's stream, or a TLS stream over it.</param>
    /// <param name="limits">Largest frame, and most headers, accepted.</param>
    /// <param name="logger">Where connection problems are said.</param>
    public TcpConnection(Socket socket, Stream stream, FrameLimits limits, ILogger logger)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _stream = stream;
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096));
        _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        _limits = limits;
        _logger = logger;
        LocalAddress = socket.LocalEndPoint?.ToString() ?? "";
        RemoteAddress = socket.RemoteEndPoint?.ToString() ?? "";
    }

    public string LocalAddress { get; }

    public string RemoteAddress { get; }

    /// <summary>Cancelled when the connection closes, for whatever reason.</summary>
    public CancellationToken Closed => _closed.Token;

    public bool IsClosed => _closed.IsCancellationRequested;

    /// <summary>Why the connection closed (for errors given to pending calls).</summary>
    public string CloseReason => _closeReason ?? "connection closed";

    /// <summary>Starts the loops. <paramref name="onFrame"/> runs on the reader loop: it must not block.</summary>
    public void Start(Action<Frame> onFrame)
    {
        _readLoop = Task.Run(() => ReadLoopAsync(onFrame));
        _writeLoop = Task.Run(WriteLoopAsync);
    }

    /// <summary>
    /// Queues a frame. Throws a 413 <see cref="MicroException"/> when it is over the size limit, so the sender
    /// learns it at once and the connection stays healthy.
    /// </summary>
    public void Send(FrameType type, uint id, Dictionary<string, string>? headers, ReadOnlyMemory<byte> body)
    {
        var size = FrameCodec.MeasureFrame(headers, body.Length);
        if (size > _limits.MaxMessageSize)
        {
            throw MicroException.TooLarge("go.micro.transport", $"message of {size} bytes exceeds the maximum message size of {_limits.MaxMessageSize} bytes");
        }

        var counted = _limits.MaxQueuedBytes > 0; // only a server's reading waits on it: a client counts nothing
        if (counted)
        {
            Interlocked.Add(ref _queuedBytes, size);
        }

        if (!_outgoing.Writer.TryWrite(new OutgoingFrame(type, id, headers, body, (int)size)))
        {
            if (counted)
            {
                Interlocked.Add(ref _queuedBytes, -size);
            }

            throw new MicroException("go.micro.transport", 500, $"{CloseReason} ({RemoteAddress})") { IsTransportError = true };
        }
    }

    /// <summary>Closes the connection, recording why (the first reason wins).</summary>
    public void Close(string reason)
    {
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        _outgoing.Writer.TryComplete();
        if (!_closed.IsCancellationRequested)
        {
            try
            {
                _closed.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Let queued frames (responses of finished calls) reach the peer before the socket closes.
        _outgoing.Writer.TryComplete();
        if (_writeLoop is not null)
        {
            await Task.WhenAny(_writeLoop, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        }

        Close("connection disposed");
        if (_readLoop is not null)
        {
            await _readLoop.ConfigureAwait(false);
        }

        if (_writeLoop is not null)
        {
            await _writeLoop.ConfigureAwait(false);
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
        _closed.Dispose();
    }

    private async Task ReadLoopAsync(Action<Frame> onFrame)
    {
        try
        {
            var partial = false;
            while (true)
            {
                if (_limits.MaxQueuedBytes > 0 && Volatile.Read(ref _queuedBytes) > _limits.MaxQueuedBytes)
                {
                    await WaitForDrainAsync().ConfigureAwait(false); // the peer is not reading its replies: stop reading its requests
                }

                var result = partial ? await ReadStartedFrameAsync().ConfigureAwait(false) : await _reader.ReadAsync(_closed.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (!_framed && buffer.Length >= 4 && FrameLengthOf(buffer) > _limits.MaxMessageSize && ForeignProtocol(buffer) is { } foreign)
                {
                    // The first bytes are another protocol's: say which, not "a frame of 1213486164 bytes" ("HTTP" read as a length).
                    var reason = $"the peer at {RemoteAddress} speaks {foreign}, not Micro's tcp transport";
                    _logger.LogWarning("Closing tcp connection {Remote}: {Reason}", RemoteAddress, reason);
                    Close(reason);
                    return;
                }

                _framed |= buffer.Length >= 4;
                while (true)
                {
                    var status = FrameCodec.TryDecode(ref buffer, _limits, out var frame, out var error);
                    if (status == DecodeStatus.Complete)
                    {
                        onFrame(frame);
                        continue;
                    }

                    if (status == DecodeStatus.Refused && OnRefused(frame, error!, onFrame))
                    {
                        continue;
                    }

                    if (status == DecodeStatus.Incomplete)
                    {
                        break;
                    }

                    _logger.LogWarning("Closing tcp connection {Remote}: {Reason}", RemoteAddress, error);
                    if (status == DecodeStatus.Oversized && frame.Type == FrameType.Request)
                    {
                        // Tell the sender why before closing, so it gets a clear error instead of a reset.
                        await TrySendLastWordsAsync(frame.Id, MicroException.TooLarge("go.micro.transport", error!)).ConfigureAwait(false);
                    }

                    Close(error!);
                    return;
                }

                partial = buffer.Length > 0;
                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    if (buffer.Length > 0)
                    {
                        _logger.LogWarning("Closing tcp connection {Remote}: it ended inside a frame ({Bytes} bytes left over)", RemoteAddress, buffer.Length);
                        Close($"connection ended inside a frame ({buffer.Length} bytes left over)");
                    }
                    else
                    {
                        Close("connection closed by peer");
                    }

                    return;
                }
            }
        }
        catch (TimeoutException e)
        {
            _logger.LogWarning("Closing tcp connection {Remote}: {Reason}", RemoteAddress, e.Message);
            Close(e.Message);
        }
        catch (OperationCanceledException)
        {
            Close("connection closed");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            _logger.LogDebug(e, "tcp connection {Remote} read failed", RemoteAddress);
            Close($"connection lost: {e.Message}");
        }
        catch (Exception e)
        {
            // A bug in a frame handler must not take the process down: log and drop this connection.
            _logger.LogError(e, "Closing tcp connection {Remote} after an unexpected error", RemoteAddress);
            Close($"connection failed: {e.Message}");
        }
        finally
        {
            await _reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static uint FrameLengthOf(System.Buffers.ReadOnlySequence<byte> buffer)
    {
        Span<byte> length = stackalloc byte[4];
        System.Buffers.BuffersExtensions.CopyTo(buffer.Slice(0, 4), length);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(length);
    }

    /// <summary>What another protocol's first bytes say, with the flag that reaches it, or null for Micro's framing.</summary>
    internal static string? ForeignProtocol(System.Buffers.ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < 4)
        {
            return null;
        }

        Span<byte> head = stackalloc byte[5];
        var n = (int)Math.Min(5, buffer.Length);
        System.Buffers.BuffersExtensions.CopyTo(buffer.Slice(0, n), head);
        head = head[..n];
        if (head.StartsWith("HTTP"u8) || head.StartsWith("GET "u8) || head.StartsWith("POST"u8) || head.StartsWith("PUT "u8))
        {
            return "HTTP (an http transport node: call it with --transport http, or by service name so its registered transport is used)";
        }

        if (head[0] is 0x15 or 0x16 && head[1] == 0x03)
        {
            return "TLS (a node that requires TLS: give --transport_tls_ca, and a client certificate if it asks for one)";
        }

        if (head[0] is (byte)'{' or (byte)'[')
        {
            return "JSON (not a Micro node: check the address and --transport)";
        }

        return null;
    }

    /// <summary>The rest of a frame that has started: a peer that stops in the middle of one is cut off after the timeout.</summary>
    private async ValueTask<ReadResult> ReadStartedFrameAsync()
    {
        if (_limits.FrameReadTimeout == Timeout.InfiniteTimeSpan)
        {
            return await _reader.ReadAsync(_closed.Token).ConfigureAwait(false);
        }

        using var idle = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
        idle.CancelAfter(_limits.FrameReadTimeout);
        try
        {
            return await _reader.ReadAsync(idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_closed.IsCancellationRequested)
        {
            throw new TimeoutException($"a frame was started and not finished within {_limits.FrameReadTimeout.TotalSeconds:0.###} s (--frame_read_timeout)");
        }
    }

    /// <summary>Waits until queued replies are down to half the limit (or the connection closes).</summary>
    private async Task WaitForDrainAsync()
    {
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _drained, drained);
        if (Volatile.Read(ref _queuedBytes) <= _limits.MaxQueuedBytes / 2)
        {
            Volatile.Write(ref _drained, null); // drained between the check and now
            return;
        }

        _logger.LogWarning("tcp connection {Remote} does not read its replies ({Bytes} bytes queued); reading its requests pauses until it does", RemoteAddress, Volatile.Read(ref _queuedBytes));
        await drained.Task.WaitAsync(_closed.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// A frame over the header limits: the sender of a request or stream gets a 400 saying which limit, a response
    /// becomes a 502 for the waiting caller, and the connection stays open. Anything else mid-stream closes it (false).
    /// </summary>
    private bool OnRefused(Frame frame, string reason, Action<Frame> onFrame)
    {
        _logger.LogWarning("Refused a {Type} frame from {Remote}: {Reason}", frame.Type, RemoteAddress, reason);
        switch (frame.Type)
        {
            case FrameType.Request or FrameType.StreamOpen:
                try
                {
                    Send(frame.Type == FrameType.Request ? FrameType.Response : FrameType.StreamEnd, frame.Id,
                        ErrorHeaders(MicroException.BadRequest("go.micro.transport", reason)), default);
                }
                catch (MicroException)
                {
                    // Closing anyway; the caller learns from the closed connection.
                }

                return true;
            case FrameType.Response:
                onFrame(new Frame(FrameType.Response, frame.Id, ErrorHeaders(new MicroException("go.micro.transport", 502, "response refused: " + reason)), default));
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Refuses a connection before serving it: one response frame (id 0) carrying <paramref name="error"/>, which the
    /// client turns into the reason its calls failed, then close.
    /// </summary>
    public async Task RefuseAsync(MicroException error)
    {
        _writeLoop = Task.Run(WriteLoopAsync);
        await TrySendLastWordsAsync(0, error).ConfigureAwait(false);
        Close(error.Detail);
    }

    /// <summary>The headers of a frame that carries only an error (<c>Micro-Error</c>).</summary>
    internal static Dictionary<string, string> ErrorHeaders(MicroException error)
    {
        var headers = TransportMessage.NewHeaders(1);
        headers[MicroHeaders.Error] = error.ToJson();
        return headers;
    }

    private async Task TrySendLastWordsAsync(uint id, MicroException error)
    {
        var headers = ErrorHeaders(error);
        try
        {
            Send(FrameType.Response, id, headers, default);
            _outgoing.Writer.TryComplete();
            if (_writeLoop is not null)
            {
                await _writeLoop.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is MicroException or TimeoutException)
        {
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _outgoing.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                long written = 0;
                while (reader.TryRead(out var f))
                {
                    FrameCodec.Write(_writer, f.Type, f.Id, f.Headers, f.Body.Span, f.Size);
                    written += f.Size;
                }

                var flush = await _writer.FlushAsync().ConfigureAwait(false);
                // Counted as sent once flushed: the socket took them, so a peer that does not read fills this up.
                if (_limits.MaxQueuedBytes > 0 && Interlocked.Add(ref _queuedBytes, -written) <= _limits.MaxQueuedBytes / 2 && Volatile.Read(ref _drained) is { } waiting)
                {
                    Volatile.Write(ref _drained, null);
                    waiting.TrySetResult();
                }

                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            _logger.LogDebug(e, "tcp connection {Remote} write failed", RemoteAddress);
            Close($"connection lost: {e.Message}");
        }
        finally
        {
            try
            {
                await _writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
            }

            Close(_closeReason ?? "connection closed");
        }
    }

    private readonly record struct OutgoingFrame(FrameType Type, uint Id, Dictionary<string, string>? Headers, ReadOnlyMemory<byte> Body, int Size);
}

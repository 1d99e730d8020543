using System.Buffers.Binary;
using System.Threading.Channels;

namespace Micro.Transport.Tcp;

/// <summary>
/// One stream on a tcp connection, either end. Flow control: each side lets the other send <see cref="Window"/> messages
/// and grants more as its reader consumes them, so at most a window of messages is ever queued per stream. Bytes are
/// bounded too: a sender keeps at most <see cref="WindowBytes"/> unacknowledged (one larger message may always go alone),
/// and a receiver that finds more than that waiting unread closes the connection, as for a broken message window.
/// </summary>
internal sealed class TcpStream : ITransportStream
{
    public const int Window = 512;

    /// <summary>Bytes of stream messages in flight (sent, not yet read by the peer) per stream: 16 MiB.</summary>
    public const long WindowBytes = 16L * 1024 * 1024;

    private readonly Queue<int> _unacknowledged = new(); // sizes of messages sent and not yet credited back
    private readonly SemaphoreSlim _byteRoom = new(0, int.MaxValue);
    private long _inFlightBytes;
    private long _bufferedBytes;
    private readonly TcpConnection _connection;
    private readonly Action<uint> _forget;
    private readonly Channel<ReadOnlyMemory<byte>> _inbox = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(Window) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly SemaphoreSlim _credits = new(Window, int.MaxValue);
    private readonly CancellationTokenSource _cancelled = new();
    private int _consumed;
    private long _consumedBytes;
    private int _sentEnd;
    private int _received;
    private volatile bool _remoteEnded;

    public TcpStream(TcpConnection connection, uint id, IReadOnlyDictionary<string, string> headers, Action<uint> forget)
    {
        _connection = connection;
        Id = id;
        Headers = headers;
        _forget = forget;
    }

    public uint Id { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>Cancelled when the peer cancels or the connection closes.</summary>
    public CancellationToken Cancelled => _cancelled.Token;

    /// <summary>How many received messages wait to be read (never more than <see cref="Window"/>).</summary>
    public int Buffered => _inbox.Reader.Count;

    public async ValueTask SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cancelled.Token);
        try
        {
            await _credits.WaitAsync(linked.Token).ConfigureAwait(false); // waits while the peer has no room
            while (!TryReserveBytes(body.Length))
            {
                await _byteRoom.WaitAsync(linked.Token).ConfigureAwait(false); // the peer has not read enough bytes yet
            }
        }
        catch (OperationCanceledException) when (_cancelled.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the stream was cancelled by the other side", _cancelled.Token);
        }

        _connection.Send(FrameType.StreamData, Id, null, body);
    }

    /// <summary>Room for <paramref name="size"/> more bytes in flight (always, when nothing is in flight).</summary>
    private bool TryReserveBytes(int size)
    {
        lock (_unacknowledged)
        {
            if (_inFlightBytes > 0 && _inFlightBytes + size > WindowBytes)
            {
                return false;
            }

            _inFlightBytes += size;
            _unacknowledged.Enqueue(size);
            return true;
        }
    }

    /// <summary>The peer read <paramref name="messages"/> more: their bytes are no longer in flight.</summary>
    private void Acknowledge(long messages)
    {
        lock (_unacknowledged)
        {
            for (var i = 0; i < messages && _unacknowledged.Count > 0; i++)
            {
                _inFlightBytes -= _unacknowledged.Dequeue();
            }
        }

        _byteRoom.Release();
    }

    public ValueTask CompleteAsync(string? error = null, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _sentEnd, 1) == 0 && !_connection.IsClosed)
        {
            Dictionary<string, string>? headers = null;
            if (error is not null)
            {
                headers = TransportMessage.NewHeaders(1);
                headers[MicroHeaders.Error] = error;
            }

            _connection.Send(FrameType.StreamEnd, Id, headers, default);
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        ReadOnlyMemory<byte> message;
        try
        {
            if (!await _inbox.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) || !_inbox.Reader.TryRead(out message))
            {
                return null;
            }
        }
        catch (ChannelClosedException e) when (e.InnerException is MicroException error)
        {
            throw error;
        }

        Interlocked.Add(ref _bufferedBytes, -message.Length);
        // Grant the peer more room once a quarter of the window has been read, in messages or in bytes (fewer grants, and
        // the sender rarely waits; a sender held back by the byte window goes on).
        _consumedBytes += message.Length;
        if ((++_consumed >= Window / 4 || _consumedBytes >= WindowBytes / 4) && !_connection.IsClosed)
        {
            var grant = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(grant, (uint)_consumed);
            _consumed = 0;
            _consumedBytes = 0;
            _connection.Send(FrameType.StreamCredit, Id, null, grant);
        }

        return message;
    }

    /// <summary>Routes a frame of this stream (called on the connection's reader loop; must not block).</summary>
    public void OnFrame(Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.StreamData:
                // The byte bound allows one message over the window (a sender may always send one when nothing is in flight).
                if (Interlocked.Add(ref _bufferedBytes, frame.Body.Length) > WindowBytes + frame.Body.Length && frame.Body.Length > 0)
                {
                    _connection.Close($"stream {Id} sent more than {WindowBytes} bytes its reader has not read");
                }
                else if (++_received > 0 && !_inbox.Writer.TryWrite(frame.Body))
                {
                    // More than the window we granted: the peer ignores flow control.
                    _connection.Close($"stream {Id} sent more messages than its window of {Window}");
                }

                break;
            case FrameType.StreamEnd:
                _remoteEnded = true;
                var error = frame.Headers?.GetValueOrDefault(MicroHeaders.Error);
                _inbox.Writer.TryComplete(error is null ? null : MicroException.Parse(error));
                if (Volatile.Read(ref _sentEnd) == 1)
                {
                    _forget(Id);
                }

                break;
            case FrameType.StreamCredit:
                if (frame.Body.Length == 4)
                {
                    var granted = Math.Min(BinaryPrimitives.ReadUInt32BigEndian(frame.Body.Span), Window);
                    Acknowledge(granted);
                    _credits.Release((int)granted);
                }

                break;
            case FrameType.Cancel:
                Abort(new MicroException("go.micro.transport", 499, "stream cancelled by the other side"));
                break;
        }
    }

    /// <summary>Ends the stream locally: the reader sees <paramref name="error"/>, a waiting writer is released.</summary>
    public void Abort(MicroException error)
    {
        _inbox.Writer.TryComplete(error);
        try
        {
            _cancelled.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        _forget(Id);
    }

    public ValueTask DisposeAsync()
    {
        // Leaving before both sides ended cancels the stream for the peer too.
        if (!(_remoteEnded && Volatile.Read(ref _sentEnd) == 1) && !_connection.IsClosed)
        {
            try
            {
                _connection.Send(FrameType.Cancel, Id, null, default);
            }
            catch (MicroException)
            {
            }
        }

        Abort(new MicroException("go.micro.transport", 499, "stream closed"));
        return ValueTask.CompletedTask;
    }
}

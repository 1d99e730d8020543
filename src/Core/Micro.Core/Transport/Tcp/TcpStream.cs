using System.Buffers.Binary;
using System.Threading.Channels;

namespace Micro.Transport.Tcp;

/// <summary>
/// One stream on a tcp connection, either end. Flow control (<see cref="StreamWindow"/>): each side lets the other send a
/// window of messages and bytes ahead and grants more as its reader consumes them; a peer that sends past the window
/// closes the connection.
/// </summary>
internal sealed class TcpStream : ITransportStream
{
    public const int Window = StreamWindow.Messages;

    private readonly StreamWindow _window = new();
    private readonly TcpConnection _connection;
    private readonly Action<uint> _forget;
    private readonly Channel<ReadOnlyMemory<byte>> _inbox = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(Window) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _cancelled = new();
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
            await _window.WaitToSendAsync(body.Length, linked.Token).ConfigureAwait(false); // waits while the peer has no room
        }
        catch (OperationCanceledException) when (_cancelled.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the stream was cancelled by the other side", _cancelled.Token);
        }

        _connection.Send(FrameType.StreamData, Id, null, body);
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

        // Grant the peer more room once a quarter of the window has been read (fewer grants, and the sender rarely waits).
        if (_window.Read(message.Length) is var grant and > 0 && !_connection.IsClosed)
        {
            var credit = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(credit, (uint)grant);
            _connection.Send(FrameType.StreamCredit, Id, null, credit);
        }

        return message;
    }

    /// <summary>Routes a frame of this stream (called on the connection's reader loop; must not block).</summary>
    public void OnFrame(Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.StreamData:
                if (!_window.Arrived(frame.Body.Length))
                {
                    _connection.Close($"stream {Id} sent more than {StreamWindow.Bytes} bytes its reader has not read");
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
                    _window.Granted(BinaryPrimitives.ReadUInt32BigEndian(frame.Body.Span));
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

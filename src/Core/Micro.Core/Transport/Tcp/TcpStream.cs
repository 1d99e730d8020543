using System.Buffers.Binary;

namespace Micro.Transport.Tcp;

/// <summary>
/// One stream on a tcp connection, either end: the <see cref="StreamEngine"/> with frames on the connection. A peer that
/// sends past its window closes the connection (it ignores flow control, so nothing else on it can be trusted).
/// </summary>
internal sealed class TcpStream : ITransportStream
{
    public const int Window = StreamWindow.Messages;

    private readonly TcpConnection _connection;
    private readonly StreamEngine _engine;

    public TcpStream(TcpConnection connection, uint id, IReadOnlyDictionary<string, string> headers, Action<uint> forget)
    {
        _connection = connection;
        Id = id;
        Headers = headers;
        _engine = new StreamEngine(new Frames(connection, id), () => forget(id));
    }

    public uint Id { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>Cancelled when the peer cancels or the connection closes.</summary>
    public CancellationToken Cancelled => _engine.Cancelled;

    public ValueTask SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default) => _engine.SendAsync(body, cancellationToken);

    public ValueTask CompleteAsync(string? error = null, CancellationToken cancellationToken = default) => _engine.CompleteAsync(error);

    public ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default) => _engine.ReceiveAsync(cancellationToken);

    /// <summary>Routes a frame of this stream (called on the connection's reader loop; must not block).</summary>
    public void OnFrame(Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.StreamData:
                if (_engine.OnData(frame.Body) is { } broken)
                {
                    _connection.Close($"stream {Id} {broken}");
                }

                break;
            case FrameType.StreamEnd:
                _engine.OnEnd(frame.Headers?.GetValueOrDefault(MicroHeaders.Error));
                break;
            case FrameType.StreamCredit:
                if (frame.Body.Length == 4)
                {
                    _engine.OnCredit((int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(frame.Body.Span), int.MaxValue));
                }

                break;
            case FrameType.Cancel:
                _engine.OnCancel();
                break;
        }
    }

    /// <summary>Ends the stream locally: the reader sees <paramref name="error"/>, a waiting writer is released.</summary>
    public void Abort(MicroException error) => _engine.Abort(error);

    public ValueTask DisposeAsync() => _engine.DisposeAsync();

    /// <summary>Stream frames on the connection; once it is closed there is nobody to tell.</summary>
    private sealed class Frames(TcpConnection connection, uint id) : IStreamFrames
    {
        public ValueTask SendDataAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
        {
            connection.Send(FrameType.StreamData, id, null, body);
            return ValueTask.CompletedTask;
        }

        public ValueTask SendEndAsync(string? error)
        {
            if (!connection.IsClosed)
            {
                Dictionary<string, string>? headers = null;
                if (error is not null)
                {
                    headers = TransportMessage.NewHeaders(1);
                    headers[MicroHeaders.Error] = error;
                }

                connection.Send(FrameType.StreamEnd, id, headers, default);
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask SendCreditAsync(int messages)
        {
            if (!connection.IsClosed)
            {
                var credit = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(credit, (uint)messages);
                connection.Send(FrameType.StreamCredit, id, null, credit);
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask SendCancelAsync()
        {
            if (!connection.IsClosed)
            {
                connection.Send(FrameType.Cancel, id, null, default);
            }

            return ValueTask.CompletedTask;
        }
    }
}

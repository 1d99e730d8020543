using System.Collections.Concurrent;

namespace Micro.Transport.Tcp;

/// <summary>The client end of a tcp connection: many requests in flight at once, matched to responses by id.</summary>
internal sealed class TcpClientConnection : IAsyncDisposable
{
    private readonly TcpConnection _connection;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<TransportMessage>> _pending = new();
    private readonly ConcurrentDictionary<uint, TcpStream> _streams = new();
    private static readonly KeyValuePair<string, object?> ClientSide = new("side", "client");
    private int _nextId;

    public TcpClientConnection(TcpConnection connection)
    {
        _connection = connection;
        Micro.Diagnostics.MicroTelemetry.TransportConnections.Add(1, ClientSide);
        _connection.Closed.Register(static s =>
        {
            ((TcpClientConnection)s!).FailAll();
            Micro.Diagnostics.MicroTelemetry.TransportConnections.Add(-1, ClientSide);
        }, this);
        _connection.Start(OnFrame);
    }

    public bool IsUsable => !_connection.IsClosed;

    public int InFlight => _pending.Count;

    public async ValueTask<TransportMessage> RequestAsync(TransportMessage request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var id = NextId();
        var pending = new TaskCompletionSource<TransportMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = pending;
        try
        {
            _connection.Send(FrameType.Request, id, request.HeaderMap, request.Body);
        }
        catch
        {
            _pending.TryRemove(id, out _);
            throw;
        }

        if (_connection.IsClosed)
        {
            FailAll();
        }

        if (!cancellationToken.CanBeCanceled)
        {
            return await pending.Task.ConfigureAwait(false);
        }

        await using var registration = cancellationToken.UnsafeRegister(static (s, ct) =>
        {
            var (self, callId, tcs) = ((TcpClientConnection, uint, TaskCompletionSource<TransportMessage>))s!;
            if (self._pending.TryRemove(callId, out _))
            {
                tcs.TrySetCanceled(ct);
                self.TrySendCancel(callId);
            }
        }, (this, id, pending)).ConfigureAwait(false);
        return await pending.Task.ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    public ITransportStream OpenStream(Dictionary<string, string> headers)
    {
        var id = NextId();
        var stream = new TcpStream(_connection, id, headers, i => _streams.TryRemove(i, out _));
        _streams[id] = stream;
        _connection.Send(FrameType.StreamOpen, id, headers, default);
        return stream;
    }

    /// <summary>Ids wrap around; 0 is never used, since a server's connection-level refusal comes as id 0.</summary>
    private uint NextId()
    {
        uint id;
        while ((id = (uint)Interlocked.Increment(ref _nextId)) == 0)
        {
        }

        return id;
    }

    private void TrySendCancel(uint id)
    {
        try
        {
            _connection.Send(FrameType.Cancel, id, null, default);
        }
        catch (MicroException)
        {
            // The connection is gone; the server cancels everything of a closed connection anyway.
        }
    }

    private void OnFrame(Frame frame)
    {
        if (frame.Type is FrameType.StreamData or FrameType.StreamEnd or FrameType.StreamCredit or FrameType.Cancel)
        {
            if (_streams.TryGetValue(frame.Id, out var stream))
            {
                stream.OnFrame(frame);
            }

            return;
        }

        if (frame.Type != FrameType.Response)
        {
            _connection.Close($"unexpected frame type {frame.Type} from a server");
            return;
        }

        if (frame.Id == 0 && frame.Headers?.GetValueOrDefault(MicroHeaders.Error) is { } refusal)
        {
            // The server refused this connection (a limit): its reason becomes the error of every call on it.
            _connection.Close("server refused the connection: " + MicroException.Parse(refusal).Detail);
            return;
        }

        if (_pending.TryRemove(frame.Id, out var tcs))
        {
            tcs.TrySetResult(new TransportMessage(frame.Headers, frame.Body));
        }
    }

    private void FailAll()
    {
        foreach (var stream in _streams.Values)
        {
            stream.Abort(new MicroException("go.micro.transport", 500, $"{_connection.CloseReason} ({_connection.RemoteAddress})") { IsTransportError = true });
        }

        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var tcs))
            {
                tcs.TrySetException(new MicroException("go.micro.transport", 500, $"{_connection.CloseReason} ({_connection.RemoteAddress})") { IsTransportError = true });
            }
        }
    }
}

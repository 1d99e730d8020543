using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Micro.Transport.Tcp;

/// <summary>The server end of a tcp connection: runs each request's handler concurrently and writes its response.</summary>
internal sealed class TcpServerConnection : IAsyncDisposable
{
    private readonly TcpConnection _connection;
    private readonly ITransportHandler _handler;
    private readonly ILogger _logger;
    private static readonly KeyValuePair<string, object?> ServerSide = new("side", "server");
    private readonly TransportPeer _peer;
    private readonly ConcurrentDictionary<uint, CancellationTokenSource> _inFlight = new();
    private readonly ConcurrentDictionary<uint, TcpStream> _streams = new();
    private readonly int _maxConcurrent;
    private int _running; // requests and streams admitted and not yet finished (a counter: the dictionaries' Count takes every lock)
    private readonly Diagnostics.LogThrottle _busyLog = new();

    public TcpServerConnection(TcpConnection connection, ITransportHandler handler, int maxConcurrentRequests, ILogger logger)
    {
        _connection = connection;
        _maxConcurrent = maxConcurrentRequests;
        _handler = handler;
        _logger = logger;
        _peer = new TransportPeer(connection.LocalAddress, connection.RemoteAddress);
        Micro.Diagnostics.MicroTelemetry.TransportConnections.Add(1, ServerSide);
        _connection.Closed.Register(static s =>
        {
            ((TcpServerConnection)s!).CancelAll();
            Micro.Diagnostics.MicroTelemetry.TransportConnections.Add(-1, ServerSide);
        }, this);
    }

    public CancellationToken Closed => _connection.Closed;

    public void Start() => _connection.Start(OnFrame);

    /// <summary>Closes after the requests in flight have queued their responses (bounded), then lets those frames leave.</summary>
    public async ValueTask DisposeAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!_inFlight.IsEmpty && !_connection.IsClosed && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private void OnFrame(Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Request:
                if (!TryAdmit(frame))
                {
                    break;
                }

                var cts = new CancellationTokenSource();
                if (!_inFlight.TryAdd(frame.Id, cts))
                {
                    Interlocked.Decrement(ref _running);
                    cts.Dispose();
                    _connection.Close($"request id {frame.Id} reused while still in flight");
                    return;
                }

                ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Self.RunAsync(s.Frame, s.Cts), (Self: this, Frame: frame, Cts: cts), preferLocal: false);
                break;
            case FrameType.Cancel:
                if (_inFlight.TryGetValue(frame.Id, out var running))
                {
                    TryCancel(running);
                }

                if (_streams.TryGetValue(frame.Id, out var cancelled))
                {
                    cancelled.OnFrame(frame);
                }

                break;
            case FrameType.StreamOpen:
                if (!TryAdmit(frame))
                {
                    break;
                }

                var stream = new TcpStream(_connection, frame.Id, frame.Headers ?? TransportMessage.NewHeaders(0), i =>
                {
                    if (_streams.TryRemove(i, out _))
                    {
                        Interlocked.Decrement(ref _running);
                    }
                });
                if (!_streams.TryAdd(frame.Id, stream))
                {
                    Interlocked.Decrement(ref _running);
                    _connection.Close($"stream id {frame.Id} reused while still open");
                    return;
                }

                ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Self.RunStreamAsync(s.Self._handler, s.Stream), (Self: this, Stream: stream), preferLocal: false);
                break;
            case FrameType.StreamData or FrameType.StreamEnd or FrameType.StreamCredit:
                if (_streams.TryGetValue(frame.Id, out var open))
                {
                    open.OnFrame(frame);
                }

                break;
            default:
                _connection.Close($"unexpected frame type {frame.Type} from a client");
                break;
        }
    }

    /// <summary>
    /// Admits a request or stream within the limit of those running on this connection; past it, answers 503 (retried
    /// elsewhere by clients) and logs, at most once a second per connection so a flood cannot flood the log too.
    /// </summary>
    private bool TryAdmit(Frame frame)
    {
        if (Interlocked.Increment(ref _running) <= _maxConcurrent)
        {
            return true;
        }

        Interlocked.Decrement(ref _running);

        var reason = $"server busy: {_maxConcurrent} requests already running on this connection (the limit, --max_concurrent_requests)";
        if (_busyLog.ShouldLog())
        {
            _logger.LogWarning("Refused request {Id} from {Remote}: {Reason}", frame.Id, _connection.RemoteAddress, reason);
        }

        var error = TcpConnection.ErrorHeaders(MicroException.Unavailable(frame.Headers?.GetValueOrDefault(MicroHeaders.Service) ?? "go.micro.server", reason));
        try
        {
            _connection.Send(frame.Type == FrameType.Request ? FrameType.Response : FrameType.StreamEnd, frame.Id, error, default);
        }
        catch (MicroException)
        {
        }

        return false;
    }

    private async Task RunAsync(Frame frame, CancellationTokenSource cts)
    {
        try
        {
            TransportMessage response;
            try
            {
                response = await _handler.HandleAsync(new TransportMessage(frame.Headers, frame.Body), _peer, cts.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Handlers are expected to turn failures into error responses; this is the last line of defence.
                _logger.LogError(e, "Transport handler failed");
                response = new TransportMessage();
                response.HeaderMap["Micro-Error"] = MicroException.InternalServerError("go.micro.server", e.Message).ToJson();
            }

            if (_connection.IsClosed)
            {
                return; // the client is gone; nobody to answer
            }

            try
            {
                _connection.Send(FrameType.Response, frame.Id, response.HeaderMap, response.Body);
            }
            catch (MicroException e) when (e.Code == 413)
            {
                // The response is over the limit: tell the caller that instead of leaving it waiting.
                TrySend(frame.Id, TcpConnection.ErrorHeaders(MicroException.InternalServerError(frame.Headers?.GetValueOrDefault(MicroHeaders.Service) ?? "go.micro.server", "response " + e.Detail)));
            }
            catch (MicroException e)
            {
                _logger.LogDebug("Response to request {Id} not sent: {Reason}", frame.Id, e.Detail);
            }
        }
        finally
        {
            // Only once the response is queued: closing waits for requests in flight, so none loses its answer.
            _inFlight.TryRemove(frame.Id, out _);
            Interlocked.Decrement(ref _running);
            cts.Dispose();
        }
    }

    private async Task RunStreamAsync(ITransportStreamHandler handler, TcpStream stream)
    {
        try
        {
            await handler.HandleStreamAsync(stream, _peer, stream.Cancelled).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Stream handler failed");
            await stream.CompleteAsync(MicroException.InternalServerError("go.micro.server", e.Message).ToJson()).ConfigureAwait(false);
        }
    }

    private void TrySend(uint id, Dictionary<string, string> headers)
    {
        try
        {
            _connection.Send(FrameType.Response, id, headers, default);
        }
        catch (MicroException)
        {
        }
    }

    private void CancelAll()
    {
        foreach (var stream in _streams.Values)
        {
            stream.Abort(new MicroException("go.micro.transport", 500, "connection closed") { IsTransportError = true });
        }

        foreach (var cts in _inFlight.Values)
        {
            TryCancel(cts);
        }
    }

    private static void TryCancel(CancellationTokenSource cts)
    {
        try
        {
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Finished in the meantime.
        }
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Micro.Transport.Tcp;

/// <summary>The server end of a tcp connection: runs each request's handler concurrently and writes its response.</summary>
internal sealed class TcpServerConnection : IAsyncDisposable
{
    private readonly TcpConnection _connection;
    private readonly ITransportHandler _handler;
    private readonly ILogger _logger;
    private readonly TransportPeer _peer;
    private readonly ConcurrentDictionary<uint, CancellationTokenSource> _inFlight = new();

    public TcpServerConnection(TcpConnection connection, ITransportHandler handler, ILogger logger)
    {
        _connection = connection;
        _handler = handler;
        _logger = logger;
        _peer = new TransportPeer(connection.LocalAddress, connection.RemoteAddress);
        _connection.Closed.Register(static s => ((TcpServerConnection)s!).CancelAll(), this);
    }

    public CancellationToken Closed => _connection.Closed;

    public void Start() => _connection.Start(OnFrame);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private void OnFrame(Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Request:
                var cts = new CancellationTokenSource();
                if (!_inFlight.TryAdd(frame.Id, cts))
                {
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

                break;
            default:
                _connection.Close($"unexpected frame type {frame.Type} from a client");
                break;
        }
    }

    private async Task RunAsync(Frame frame, CancellationTokenSource cts)
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
            response.Headers["Micro-Error"] = MicroException.InternalServerError("go.micro.server", e.Message).ToJson();
        }
        finally
        {
            _inFlight.TryRemove(frame.Id, out _);
            cts.Dispose();
        }

        if (_connection.IsClosed)
        {
            return; // the client is gone; nobody to answer
        }

        try
        {
            _connection.Send(FrameType.Response, frame.Id, response.Headers, response.Body);
        }
        catch (MicroException e) when (e.Code == 413)
        {
            // The response is over the limit: tell the caller that instead of leaving it waiting.
            var error = TransportMessage.NewHeaders(1);
            error["Micro-Error"] = MicroException.InternalServerError(frame.Headers?.GetValueOrDefault("Micro-Service") ?? "go.micro.server", "response " + e.Detail).ToJson();
            TrySend(frame.Id, error);
        }
        catch (MicroException e)
        {
            _logger.LogDebug("Response to request {Id} not sent: {Reason}", frame.Id, e.Detail);
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

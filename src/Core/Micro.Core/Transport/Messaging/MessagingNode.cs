using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Micro.Transport;

/// <summary>
/// The server half of request/reply over a message system (NATS, RabbitMQ), shared by their transports: every message
/// that reaches the node's address is a stream frame (<see cref="MessageStream"/> ops), a cancel notice
/// (<see cref="MessagingRequests.CancelHeader"/>) for a request in flight, or a request, handled off the receiving loop
/// and answered through the reply the transport gives with it. The transport supplies the small port: how to publish
/// to an address (stream frames) and how to answer one message.
/// </summary>
public sealed class MessagingNode
{
    private readonly ITransportHandler _handler;
    private readonly TransportPeer _peer;
    private readonly Func<string, string, ReadOnlyMemory<byte>, Dictionary<string, string>, Task> _publish;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MessageStream> _streams = new(StringComparer.Ordinal);

    /// <param name="address">The node's subject or queue (its registered address).</param>
    /// <param name="transport">The transport's name, for the peer the handler sees.</param>
    /// <param name="publish">Sends (address, op, body, headers) to a peer: the stream frames to a caller's inbox.</param>
    public MessagingNode(ITransportHandler handler, string address, string transport, Func<string, string, ReadOnlyMemory<byte>, Dictionary<string, string>, Task> publish, ILogger logger)
    {
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        _peer = new TransportPeer(address, transport);
        _publish = publish ?? throw new ArgumentNullException(nameof(publish));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Nothing is being handled or answered (a listener closing waits for this, bounded).</summary>
    public bool IsIdle => _inFlight.IsEmpty;

    /// <summary>
    /// One message at the node's address, from the transport's receiving loop (does not block it). <paramref name="reply"/>
    /// answers it; null means the sender wants no answer, so it is not a request.
    /// </summary>
    public void OnMessage(Dictionary<string, string> headers, byte[] body, Func<TransportMessage, Task>? reply)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers.TryGetValue(MessageStream.OpHeader, out var op))
        {
            OnStreamMessage(op, headers, body);
            return;
        }

        if (headers.TryGetValue(MessagingRequests.CancelHeader, out var cancelId))
        {
            if (_inFlight.TryGetValue(cancelId, out var running))
            {
                TryCancel(running);
            }

            return;
        }

        if (reply is null)
        {
            return; // not a request: nobody to answer
        }

        ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Self.HandleAsync(s.Request, s.Reply), (Self: this, Request: new TransportMessage(headers, body), Reply: reply), preferLocal: false);
    }

    /// <summary>Cancels every handler still running (the listener is closing).</summary>
    public void CancelAll()
    {
        foreach (var cts in _inFlight.Values)
        {
            TryCancel(cts);
        }
    }

    private async Task HandleAsync(TransportMessage request, Func<TransportMessage, Task> reply)
    {
        var id = request.Header(MicroHeaders.Id) ?? Guid.NewGuid().ToString();
        using var cts = new CancellationTokenSource();
        _inFlight[id] = cts;
        try
        {
            TransportMessage response;
            try
            {
                response = await _handler.HandleAsync(request, _peer, cts.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                response = new TransportMessage();
                response.HeaderMap[MicroHeaders.Error] = MicroException.InternalServerError("go.micro.server", e.Message).ToJson();
            }

            try
            {
                await reply(response).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogWarning(e, "Could not answer request {Id} at {Address}", id, _peer.LocalAddress);
            }
        }
        finally
        {
            _inFlight.TryRemove(id, out _); // only now: closing waits for this, so the reply is not cut off
        }
    }

    private void OnStreamMessage(string op, Dictionary<string, string> headers, byte[] body)
    {
        var id = headers.GetValueOrDefault(MessageStream.IdHeader) ?? "";
        if (op != MessageStream.OpenOp)
        {
            if (_streams.TryGetValue(id, out var open))
            {
                open.OnMessage(op, headers, body);
            }

            return;
        }

        var replyTo = headers.GetValueOrDefault(MessageStream.ReplyHeader) ?? "";
        if (id.Length == 0 || replyTo.Length == 0)
        {
            return;
        }

        _streams[id] = MessageStream.Serve(_handler, _publish, id, replyTo, headers, _peer, key => _streams.TryRemove(key, out _));
    }

    private static void TryCancel(CancellationTokenSource cts)
    {
        try
        {
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}

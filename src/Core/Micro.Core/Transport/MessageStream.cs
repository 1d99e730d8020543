using System.Globalization;
using System.Threading.Channels;
using Micro.Transport;


namespace Micro.Transport;

/// <summary>
/// A stream over a message system (NATS, RabbitMQ): every message to the peer carries <c>Micro-Stream-Op</c> (data, end,
/// credit, cancel) and <c>Micro-Stream-Id</c>; the transport supplies how to publish to the peer and feeds the peer's
/// messages to <see cref="OnMessage"/>. Flow control as on tcp (<see cref="StreamWindow"/>): the peer may send a window of
/// messages and bytes ahead and is granted more as this side reads, so at most a window waits unread.
/// </summary>
public sealed class MessageStream : ITransportStream
{
    public const int Window = StreamWindow.Messages;

    /// <summary>The first message of a stream carries this op, the caller's inbox in <see cref="ReplyHeader"/>, and the request headers.</summary>
    public const string OpenOp = "open";
    public const string OpHeader = "Micro-Stream-Op";
    public const string IdHeader = "Micro-Stream-Id";
    public const string ReplyHeader = "Micro-Stream-Reply";
    public const string CreditHeader = "Micro-Stream-Credit";

    private readonly Func<string, string, ReadOnlyMemory<byte>, Dictionary<string, string>, Task> _publish; // (queue, op, body, headers)
    private readonly Action<string> _forget;
    private readonly Channel<ReadOnlyMemory<byte>> _inbox = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(Window) { SingleReader = true });
    private readonly StreamWindow _window = new();
    private readonly CancellationTokenSource _cancelled = new();
    private int _sentEnd;
    private volatile bool _remoteEnded;

    /// <param name="publish">Sends (queue, op, body, headers) to the peer.</param>
    public MessageStream(Func<string, string, ReadOnlyMemory<byte>, Dictionary<string, string>, Task> publish, string id, string peerSubject, IReadOnlyDictionary<string, string> headers, Action<string> forget)
    {
        _publish = publish;
        Id = id;
        PeerSubject = peerSubject;
        Headers = headers;
        _forget = forget;
    }

    /// <summary>
    /// The server side of an <see cref="OpenOp"/> message: makes the stream (request headers without the stream's own)
    /// and runs <paramref name="handler"/> on it; a handler that throws ends the stream with the error JSON.
    /// </summary>
    public static MessageStream Serve(ITransportStreamHandler handler, Func<string, string, ReadOnlyMemory<byte>, Dictionary<string, string>, Task> publish,
        string id, string replyTo, IReadOnlyDictionary<string, string> openHeaders, TransportPeer peer, Action<string> forget)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var request = TransportMessage.NewHeaders(openHeaders.Count);
        foreach (var (k, v) in openHeaders)
        {
            if (!k.StartsWith("Micro-Stream-", StringComparison.OrdinalIgnoreCase))
            {
                request[k] = v;
            }
        }

        var stream = new MessageStream(publish, id, replyTo, request, forget);
        _ = Task.Run(async () =>
        {
            try
            {
                await handler.HandleStreamAsync(stream, peer, stream.Cancelled).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                await stream.CompleteAsync(MicroException.InternalServerError("go.micro.server", e.Message).ToJson()).ConfigureAwait(false);
            }
        });
        return stream;
    }

    public string Id { get; }

    public string PeerSubject { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    public CancellationToken Cancelled => _cancelled.Token;

    public async ValueTask SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cancelled.Token);
        try
        {
            await _window.WaitToSendAsync(body.Length, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_cancelled.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the stream was cancelled by the other side", _cancelled.Token);
        }

        await SendOpAsync("data", body, null, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask CompleteAsync(string? error = null, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _sentEnd, 1) == 0)
        {
            await SendOpAsync("end", default, error is null ? null : (MicroHeaders.Error, error), CancellationToken.None).ConfigureAwait(false);
            if (_remoteEnded)
            {
                _forget(Id);
            }
        }
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

        if (_window.Read(message.Length) is var grant and > 0)
        {
            await SendOpAsync("credit", default, (CreditHeader, grant.ToString(CultureInfo.InvariantCulture)), CancellationToken.None).ConfigureAwait(false);
        }

        return message;
    }

    /// <summary>A message of this stream from the peer.</summary>
    public void OnMessage(string op, IReadOnlyDictionary<string, string>? headers, byte[]? body)
    {
        switch (op)
        {
            case "data":
                if (!_window.Arrived(body?.Length ?? 0))
                {
                    Abort(new MicroException("go.micro.transport", 500, $"stream {Id} got more than {StreamWindow.Bytes} bytes its reader has not read"));
                }
                else if (!_inbox.Writer.TryWrite(body ?? []))
                {
                    Abort(new MicroException("go.micro.transport", 500, $"stream {Id} got more messages than its window of {Window}"));
                }

                break;
            case "end":
                _remoteEnded = true;
                var error = headers?.TryGetValue(MicroHeaders.Error, out var e) == true ? e : null;
                _inbox.Writer.TryComplete(error is null ? null : MicroException.Parse(error));
                if (Volatile.Read(ref _sentEnd) == 1)
                {
                    _forget(Id);
                }

                break;
            case "credit":
                if (headers?.TryGetValue(CreditHeader, out var credit) == true && int.TryParse(credit, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
                {
                    _window.Granted(n);
                }

                break;
            case "cancel":
                Abort(new MicroException("go.micro.transport", 499, "stream cancelled by the other side"));
                break;
        }
    }

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

    public async ValueTask DisposeAsync()
    {
        if (!(_remoteEnded && Volatile.Read(ref _sentEnd) == 1))
        {
            try
            {
                await SendOpAsync("cancel", default, null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The connection is already gone: the peer's end learns of it by itself.
            }
        }

        Abort(new MicroException("go.micro.transport", 499, "stream closed"));
    }

    private async ValueTask SendOpAsync(string op, ReadOnlyMemory<byte> body, (string Key, string Value)? extra, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string> { [OpHeader] = op, [IdHeader] = Id };
        if (extra is { } pair)
        {
            headers[pair.Key] = pair.Value;
        }

        cancellationToken.ThrowIfCancellationRequested();
        await _publish(PeerSubject, op, body, headers).ConfigureAwait(false);
    }
}

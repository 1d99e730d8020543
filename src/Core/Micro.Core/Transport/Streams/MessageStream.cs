using System.Globalization;

namespace Micro.Transport;

/// <summary>
/// A stream over a message system (NATS, RabbitMQ): every message to the peer carries <c>Micro-Stream-Op</c> (data, end,
/// credit, cancel) and <c>Micro-Stream-Id</c>; the transport supplies how to publish to the peer and feeds the peer's
/// messages to <see cref="OnMessage"/>. Window, inbox, end, cancel and abort are the <see cref="StreamEngine"/> every
/// transport's streams share (tcp's included).
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

    private readonly StreamEngine _engine;

    /// <param name="publish">Sends (queue, op, body, headers) to the peer.</param>
    public MessageStream(Func<string, string, ReadOnlyMemory<byte>, Dictionary<string, string>, Task> publish, string id, string peerSubject, IReadOnlyDictionary<string, string> headers, Action<string> forget)
    {
        ArgumentNullException.ThrowIfNull(publish);
        ArgumentNullException.ThrowIfNull(forget);
        Id = id;
        PeerSubject = peerSubject;
        Headers = headers;
        _engine = new StreamEngine(new OpMessages(publish, id, peerSubject), () => forget(id));
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

    public CancellationToken Cancelled => _engine.Cancelled;

    public ValueTask SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default) => _engine.SendAsync(body, cancellationToken);

    public ValueTask CompleteAsync(string? error = null, CancellationToken cancellationToken = default) => _engine.CompleteAsync(error);

    public ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken = default) => _engine.ReceiveAsync(cancellationToken);

    /// <summary>A message of this stream from the peer.</summary>
    public void OnMessage(string op, IReadOnlyDictionary<string, string>? headers, byte[]? body)
    {
        switch (op)
        {
            case "data":
                if (_engine.OnData(body ?? []) is { } broken)
                {
                    Abort(new MicroException("go.micro.transport", 500, $"stream {Id} {broken}"));
                }

                break;
            case "end":
                _engine.OnEnd(headers?.TryGetValue(MicroHeaders.Error, out var e) == true ? e : null);
                break;
            case "credit":
                if (headers?.TryGetValue(CreditHeader, out var credit) == true && int.TryParse(credit, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    _engine.OnCredit(n);
                }

                break;
            case "cancel":
                _engine.OnCancel();
                break;
        }
    }

    public void Abort(MicroException error) => _engine.Abort(error);

    public ValueTask DisposeAsync() => _engine.DisposeAsync();

    /// <summary>Each frame as one message to the peer, its kind in <see cref="OpHeader"/>.</summary>
    private sealed class OpMessages(Func<string, string, ReadOnlyMemory<byte>, Dictionary<string, string>, Task> publish, string id, string peer) : IStreamFrames
    {
        public ValueTask SendDataAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken) => SendAsync("data", body, null);

        public ValueTask SendEndAsync(string? error) => SendAsync("end", default, error is null ? null : (MicroHeaders.Error, error));

        public ValueTask SendCreditAsync(int messages) => SendAsync("credit", default, (CreditHeader, messages.ToString(CultureInfo.InvariantCulture)));

        public ValueTask SendCancelAsync() => SendAsync("cancel", default, null);

        private async ValueTask SendAsync(string op, ReadOnlyMemory<byte> body, (string Key, string Value)? extra)
        {
            var headers = new Dictionary<string, string> { [OpHeader] = op, [IdHeader] = id };
            if (extra is { } pair)
            {
                headers[pair.Key] = pair.Value;
            }

            await publish(peer, op, body, headers).ConfigureAwait(false);
        }
    }
}

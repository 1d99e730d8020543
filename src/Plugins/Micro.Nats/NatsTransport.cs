using Micro.Transport;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;

namespace Micro.Nats;

/// <summary>
/// RPC over NATS request/reply: a node listens on its own subject (its registered address, e.g. <c>micro.rpc.&lt;id&gt;</c>);
/// message headers travel as NATS headers and the body as the payload. A cancelled call sends a cancel notice
/// (<c>Micro-Cancel</c> header) so the server cancels that handler too.
/// </summary>
public sealed class NatsTransport : ITransport, IServerTransport
{
    private readonly NatsConnection _connection;
    private readonly TransportOptions _options;
    private readonly ILogger _logger;

    /// <param name="configureConnection">Changes NATS.Net's connection options last (<see cref="NatsOptions.ConfigureConnection"/>).</param>
    public NatsTransport(string url = NatsUrl.Default, TransportOptions? options = null, Func<NatsOpts, NatsOpts>? configureConnection = null)
    {
        _options = options ?? TransportOptions.Default;
        _logger = _options.LoggerFactory.CreateLogger<NatsTransport>();
        Url = url;
        ServerAddress = IServerTransport.Advertised(url, 4222);
        var opts = NatsOpts.Default with
        {
            Url = url,
            Name = "micro-transport",
            TlsOpts = NatsTls.For(_options.Tls),
            LoggerFactory = NatsLogging.Wrap(_options.LoggerFactory),
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(200),
            ReconnectWaitMax = TimeSpan.FromSeconds(2),
        };
        _connection = new NatsConnection(configureConnection?.Invoke(opts) ?? opts);
    }

    /// <summary>The most messages a stream lets wait unread (flow-control window).</summary>
    public const int StreamWindow = MessageStream.Window;

    public string Name => "nats";

    /// <inheritdoc />
    public string ServerAddress { get; }

    public string Url { get; }

    public async ValueTask<ITransportListener> ListenAsync(string address, ITransportHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        // host:port addresses mean "pick for me" here: a NATS node's address is a subject.
        var subject = string.IsNullOrWhiteSpace(address) || address.Contains(':', StringComparison.Ordinal) ? "micro.rpc." + Guid.NewGuid().ToString("N") : address;
        var sub = await _connection.SubscribeCoreAsync<byte[]>(subject, cancellationToken: cancellationToken).ConfigureAwait(false);
        await _connection.PingAsync(cancellationToken).ConfigureAwait(false);
        return new Listener(this, subject, sub, handler);
    }

    public async ValueTask<TransportMessage> RequestAsync(string address, TransportMessage request, CancellationToken cancellationToken = default)
    {
        _options.EnsureFits(request);
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var headers = new NatsHeaders();
        foreach (var (k, v) in request.Headers)
        {
            headers[k] = v;
        }

        try
        {
            var reply = await _connection.RequestAsync<ReadOnlyMemory<byte>, byte[]>(address, request.Body, headers,
                replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromDays(1) }, cancellationToken: cancellationToken).ConfigureAwait(false);
            var replyHeaders = TransportMessage.NewHeaders(reply.Headers?.Count ?? 0);
            if (reply.Headers is not null)
            {
                foreach (var (k, v) in reply.Headers)
                {
                    replyHeaders[k] = v.ToString();
                }
            }

            return new TransportMessage(replyHeaders, reply.Data ?? []);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await MessagingRequests.SendCancelAsync((subject, h) => PublishAsync(subject, "cancel", default, h), address, request.Header(MicroHeaders.Id), _logger).ConfigureAwait(false);
            throw;
        }
        catch (NatsNoRespondersException)
        {
            throw new MicroException("go.micro.transport", 500, $"nats {address}: no node is listening there") { IsTransportError = true };
        }
        catch (NatsException e)
        {
            throw new MicroException("go.micro.transport", 500, $"nats {address}: {e.Message}", inner: e) { IsTransportError = true };
        }
    }

    public async ValueTask<ITransportStream> OpenStreamAsync(string address, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken = default)
    {
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var id = Guid.NewGuid().ToString("N");
        var inbox = "_INBOX.micro." + id;
        // The server answers on our inbox; everything we send goes to the node's subject with the stream id.
        var sub = await _connection.SubscribeCoreAsync<byte[]>(inbox, cancellationToken: cancellationToken).ConfigureAwait(false);
        await _connection.PingAsync(cancellationToken).ConfigureAwait(false);
        var stream = new MessageStream(PublishAsync, id, address, headers, key => { _ = sub.UnsubscribeAsync().AsTask(); });
        _ = Task.Run(async () =>
        {
            await foreach (var msg in sub.Msgs.ReadAllAsync().ConfigureAwait(false))
            {
                var h = ToDictionary(msg.Headers);
                stream.OnMessage(h.GetValueOrDefault(MessageStream.OpHeader) ?? "", h, msg.Data);
            }
        }, CancellationToken.None);
        var open = new NatsHeaders { [MessageStream.OpHeader] = MessageStream.OpenOp, [MessageStream.IdHeader] = id, [MessageStream.ReplyHeader] = inbox };
        foreach (var (k, v) in headers)
        {
            open[k] = v;
        }

        try
        {
            await _connection.PublishAsync(address, headers: open, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NatsException e)
        {
            await sub.UnsubscribeAsync().ConfigureAwait(false);
            throw new MicroException("go.micro.transport", 500, $"nats {address}: {e.Message}", inner: e) { IsTransportError = true };
        }

        return stream;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>Sends one stream message to the peer's subject.</summary>
    private Task PublishAsync(string subject, string op, ReadOnlyMemory<byte> body, Dictionary<string, string> headers)
    {
        var natsHeaders = new NatsHeaders();
        foreach (var (k, v) in headers)
        {
            natsHeaders[k] = v;
        }

        return _connection.PublishAsync(subject, body, natsHeaders).AsTask();
    }

    private static Dictionary<string, string> ToDictionary(NatsHeaders? headers)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (headers is not null)
        {
            foreach (var (k, v) in headers)
            {
                result[k] = v.ToString();
            }
        }

        return result;
    }

    private async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _connection.ConnectAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NatsException e)
        {
            throw new MicroException("go.micro.transport", 500, $"cannot connect to NATS at {Url}: {e.Message}", inner: e) { IsTransportError = true };
        }
    }

    private sealed class Listener : ITransportListener
    {
        private readonly INatsSub<byte[]> _sub;
        private readonly MessagingNode _node;
        private readonly Task _loop;

        public Listener(NatsTransport transport, string subject, INatsSub<byte[]> sub, ITransportHandler handler)
        {
            _sub = sub;
            Address = subject;
            _node = new MessagingNode(handler, subject, "nats", transport.PublishAsync, transport._logger);
            _loop = Task.Run(LoopAsync);
        }

        public string Address { get; }

        public async ValueTask StopAcceptingAsync()
        {
            await _sub.UnsubscribeAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAcceptingAsync().ConfigureAwait(false);
            _node.CancelAll();
            await _sub.DisposeAsync().ConfigureAwait(false);
        }

        private async Task LoopAsync()
        {
            await foreach (var msg in _sub.Msgs.ReadAllAsync().ConfigureAwait(false))
            {
                var reply = msg.ReplyTo is null ? null : (Func<TransportMessage, Task>)(response => ReplyAsync(msg, response));
                _node.OnMessage(ToDictionary(msg.Headers), msg.Data ?? [], reply);
            }
        }

        private static Task ReplyAsync(NatsMsg<byte[]> msg, TransportMessage response)
        {
            var headers = new NatsHeaders();
            foreach (var (k, v) in response.Headers)
            {
                headers[k] = v;
            }

            return msg.ReplyAsync(response.Body, headers).AsTask();
        }
    }
}

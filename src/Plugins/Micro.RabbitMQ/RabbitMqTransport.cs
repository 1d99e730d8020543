using System.Collections.Concurrent;
using Micro.Transport;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Micro.RabbitMQ;

/// <summary>
/// RPC over RabbitMQ: a node consumes its own queue (its registered address, e.g. <c>micro.rpc.&lt;id&gt;</c>); a client
/// publishes requests there with <c>ReplyTo = amq.rabbitmq.reply-to</c> (direct reply-to) and matches replies by
/// CorrelationId. Requests are published mandatory, so one to a queue nobody consumes fails at once as a transport error.
/// A cancelled call sends a cancel notice (<c>Micro-Cancel</c> header) so the server cancels that handler too.
/// </summary>
public sealed class RabbitMqTransport : ITransport, IServerTransport
{
    private const string ReplyQueue = "amq.rabbitmq.reply-to";
    private readonly string _url;
    private readonly TransportOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<TransportMessage>> _pending = new(StringComparer.Ordinal);
    private IConnection? _connection;
    private IChannel? _clientChannel;

    public RabbitMqTransport(string url = RabbitMqUrl.Default, TransportOptions? options = null)
    {
        _url = url;
        ServerAddress = IServerTransport.Advertised(url, url.StartsWith("amqps:", StringComparison.OrdinalIgnoreCase) ? 5671 : 5672);
        _options = options ?? TransportOptions.Default;
        _logger = _options.LoggerFactory.CreateLogger<RabbitMqTransport>();
    }

    public string Name => "rabbitmq";

    /// <inheritdoc />
    public string ServerAddress { get; }

    public async ValueTask<ITransportListener> ListenAsync(string address, ITransportHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var connection = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var queue = string.IsNullOrWhiteSpace(address) || address.Contains(':', StringComparison.Ordinal) ? "micro.rpc." + Guid.NewGuid().ToString("N") : address;
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        var listener = new Listener(this, channel, queue, handler);
        await listener.StartAsync(cancellationToken).ConfigureAwait(false);
        return listener;
    }

    public async ValueTask<TransportMessage> RequestAsync(string address, TransportMessage request, CancellationToken cancellationToken = default)
    {
        _options.EnsureFits(request);
        var channel = await ClientChannelAsync(cancellationToken).ConfigureAwait(false);
        var correlation = Guid.NewGuid().ToString("N");
        var pending = new TaskCompletionSource<TransportMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[correlation] = pending;
        var properties = new BasicProperties { CorrelationId = correlation, ReplyTo = ReplyQueue, Headers = RabbitMqHeaders.ToAmqp(request.Headers) };
        try
        {
            await SendAsync(channel, address, properties, request.Body, mandatory: true, cancellationToken).ConfigureAwait(false);
            await using (cancellationToken.UnsafeRegister(static s => ((TaskCompletionSource<TransportMessage>)s!).TrySetCanceled(), pending).ConfigureAwait(false))
            {
                return await pending.Task.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await MessagingRequests.SendCancelAsync((queue, h) => SendAsync(channel, queue, new BasicProperties { Headers = RabbitMqHeaders.ToAmqp(h) }, ReadOnlyMemory<byte>.Empty, mandatory: false, CancellationToken.None),
                address, request.Header(MicroHeaders.Id), _logger).ConfigureAwait(false);

            throw;
        }
        finally
        {
            _pending.TryRemove(correlation, out _);
        }
    }

    /// <summary>The most messages a stream lets wait unread (flow-control window).</summary>
    public const int StreamWindow = MessageStream.Window;

    public async ValueTask<ITransportStream> OpenStreamAsync(string address, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken = default)
    {
        var connection = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        // A channel per stream: its own inbox queue for the server's messages, and its own publishing order.
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var inbox = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken).ConfigureAwait(false)).QueueName;
        var gate = new SemaphoreSlim(1, 1);
        var id = Guid.NewGuid().ToString("N");
        var stream = new MessageStream((queue, _, body, h) => PublishAsync(channel, gate, queue, body, h), id, address, headers, key =>
        {
            _ = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false); // let the last frames leave
                if (channel.IsOpen)
                {
                    await channel.CloseAsync().ConfigureAwait(false);
                }

                channel.Dispose();
            });
        });
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (sender, e) =>
        {
            var h = RabbitMqHeaders.FromAmqp(e.BasicProperties.Headers);
            stream.OnMessage(h.GetValueOrDefault(MessageStream.OpHeader) ?? "", h, e.Body.ToArray());
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(inbox, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
        var open = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase)
        {
            [MessageStream.OpHeader] = MessageStream.OpenOp,
            [MessageStream.IdHeader] = id,
            [MessageStream.ReplyHeader] = inbox,
        };
        await PublishAsync(channel, gate, address, ReadOnlyMemory<byte>.Empty, open).ConfigureAwait(false);
        return stream;
    }

    private static async Task PublishAsync(IChannel channel, SemaphoreSlim gate, string queue, ReadOnlyMemory<byte> body, Dictionary<string, string> headers)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await channel.BasicPublishAsync("", queue, mandatory: false, new BasicProperties { Headers = RabbitMqHeaders.ToAmqp(headers) }, body).ConfigureAwait(false);
        }
        catch (global::RabbitMQ.Client.Exceptions.AlreadyClosedException e)
        {
            throw new MicroException("go.micro.transport", 500, $"rabbitmq {queue}: {e.Message}", inner: e) { IsTransportError = true };
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _pending.Values)
        {
            p.TrySetException(new MicroException("go.micro.transport", 500, "transport closed") { IsTransportError = true });
        }

        if (_clientChannel is not null)
        {
            await _clientChannel.CloseAsync().ConfigureAwait(false);
            _clientChannel.Dispose();
        }

        if (_connection is not null)
        {
            await _connection.CloseAsync().ConfigureAwait(false);
            _connection.Dispose();
        }

        _gate.Dispose();
        _sendGate.Dispose();
    }

    private async Task SendAsync(IChannel channel, string queue, BasicProperties properties, ReadOnlyMemory<byte> body, bool mandatory, CancellationToken cancellationToken)
    {
        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await channel.BasicPublishAsync("", queue, mandatory, properties, body, cancellationToken).ConfigureAwait(false);
        }
        catch (global::RabbitMQ.Client.Exceptions.AlreadyClosedException e)
        {
            throw new MicroException("go.micro.transport", 500, $"rabbitmq {queue}: {e.Message}", inner: e) { IsTransportError = true };
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private async ValueTask<IConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            return _connection;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is null)
            {
                var factory = new ConnectionFactory
                {
                    Uri = new Uri(_url),
                    AutomaticRecoveryEnabled = true,
                    NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
                    ClientProvidedName = "micro-transport",
                };
                RabbitMqTls.Apply(factory, _options.Tls);
                try
                {
                    _connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (global::RabbitMQ.Client.Exceptions.BrokerUnreachableException e)
                {
                    throw new MicroException("go.micro.transport", 500, $"cannot connect to RabbitMQ at {factory.HostName}:{factory.Port}: {e.InnerException?.Message ?? e.Message}", inner: e) { IsTransportError = true };
                }
            }

            return _connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask<IChannel> ClientChannelAsync(CancellationToken cancellationToken)
    {
        if (_clientChannel is not null)
        {
            return _clientChannel;
        }

        var connection = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_clientChannel is not null)
            {
                return _clientChannel;
            }

            var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            channel.BasicReturnAsync += (_, e) =>
            {
                // Mandatory request with no queue to take it: no node listens at that address.
                if (e.BasicProperties.CorrelationId is { } id && _pending.TryGetValue(id, out var pending))
                {
                    pending.TrySetException(new MicroException("go.micro.transport", 500, $"rabbitmq {e.RoutingKey}: no node is listening there ({e.ReplyText})") { IsTransportError = true });
                }

                return Task.CompletedTask;
            };
            var replies = new AsyncEventingBasicConsumer(channel);
            replies.ReceivedAsync += (_, e) =>
            {
                if (e.BasicProperties.CorrelationId is { } id && _pending.TryGetValue(id, out var pending))
                {
                    var headers = TransportMessage.NewHeaders();
                    foreach (var (k, v) in RabbitMqHeaders.FromAmqp(e.BasicProperties.Headers))
                    {
                        headers[k] = v;
                    }

                    pending.TrySetResult(new TransportMessage(headers, e.Body.ToArray()));
                }

                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(ReplyQueue, autoAck: true, replies, cancellationToken).ConfigureAwait(false);
            _clientChannel = channel;
            return channel;
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed class Listener(RabbitMqTransport transport, IChannel channel, string queue, ITransportHandler handler) : ITransportListener
    {
        private readonly SemaphoreSlim _replyGate = new(1, 1);
        private MessagingNode? _node;
        private string? _consumerTag;

        public string Address => queue;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var node = _node = new MessagingNode(handler, queue, "rabbitmq", (q, _, data, h) => PublishAsync(channel, _replyGate, q, data, h), transport._logger);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (sender, e) =>
            {
                var headers = TransportMessage.NewHeaders();
                foreach (var (k, v) in RabbitMqHeaders.FromAmqp(e.BasicProperties.Headers))
                {
                    headers[k] = v;
                }

                var replyTo = e.BasicProperties.ReplyTo;
                var correlation = e.BasicProperties.CorrelationId;
                node.OnMessage(headers, e.Body.ToArray(), replyTo is null ? null : response => ReplyAsync(replyTo, correlation, response));
                return Task.CompletedTask;
            };
            _consumerTag = await channel.BasicConsumeAsync(queue, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask StopAcceptingAsync()
        {
            if (_consumerTag is { } tag && channel.IsOpen)
            {
                _consumerTag = null;
                await channel.BasicCancelAsync(tag).ConfigureAwait(false);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopAcceptingAsync().ConfigureAwait(false);
            _node?.CancelAll(); // handlers still running stop; those already done are only sending their reply

            // A request is in flight until its reply is sent: close the channel after that (bounded), so a call that
            // completed during a graceful stop is answered.
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (_node is { IsIdle: false } && channel.IsOpen && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10).ConfigureAwait(false);
            }

            if (channel.IsOpen)
            {
                await channel.CloseAsync().ConfigureAwait(false);
            }

            channel.Dispose();
            _replyGate.Dispose();
        }

        private async Task ReplyAsync(string replyTo, string? correlation, TransportMessage response)
        {
            await _replyGate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (channel.IsOpen)
                {
                    var properties = new BasicProperties { CorrelationId = correlation, Headers = RabbitMqHeaders.ToAmqp(response.Headers) };
                    await channel.BasicPublishAsync("", replyTo, mandatory: false, properties, response.Body).ConfigureAwait(false);
                }
            }
            finally
            {
                _replyGate.Release();
            }
        }
    }
}

using Micro.Broker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Micro.RabbitMQ;

/// <summary>
/// Broker on RabbitMQ, go-micro's layout: a topic exchange (<c>micro</c>), routing key = topic, headers as AMQP headers,
/// body as is. A subscriber with a queue name consumes from that named queue (members compete); without one it gets an
/// exclusive queue of its own (broadcast). <see cref="SubscribeOptions.Durable"/> makes the named queue durable, so
/// messages published while the subscriber is away wait for it. Deliveries are acknowledged on success and
/// nacked (requeued when <see cref="SubscribeOptions.RequeueOnError"/>) on failure; prefetch limits unacknowledged messages.
/// The client recovers connections and topology by itself after a broker restart.
/// </summary>
public sealed class RabbitMqBroker : IBroker
{
    private readonly RabbitMqBrokerOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private readonly SemaphoreSlim _publishGate = new(1, 1);
    private IConnection? _connection;

    public bool IsConnected => _connection is { IsOpen: true };
    private IChannel? _publishChannel;

    public RabbitMqBroker(RabbitMqBrokerOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? RabbitMqBrokerOptions.Default;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RabbitMqBroker>();
    }

    public string Name => "rabbitmq";

    /// <summary>The options this broker runs with (configuration and code applied).</summary>
    public RabbitMqBrokerOptions Options => _options;

    public string Address => new Uri(_options.Url).GetComponents(UriComponents.HostAndPort, UriFormat.Unescaped);

    public async ValueTask ConnectAsync(CancellationToken cancellationToken = default)
    {
        if (_publishChannel is not null)
        {
            return;
        }

        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_publishChannel is not null)
            {
                return;
            }

            var factory = new ConnectionFactory
            {
                Uri = new Uri(_options.Url),
                AutomaticRecoveryEnabled = true,
                TopologyRecoveryEnabled = true,
                NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
                ClientProvidedName = "micro-broker",
            };
            RabbitMqTls.Apply(factory, _options.Tls);
            try
            {
                _connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (global::RabbitMQ.Client.Exceptions.BrokerUnreachableException e)
            {
                throw new InvalidOperationException($"Cannot connect to RabbitMQ at {Address}: {e.InnerException?.Message ?? e.Message}", e);
            }

            var channel = await _connection.CreateChannelAsync(new CreateChannelOptions(_options.PublisherConfirms, _options.PublisherConfirms), cancellationToken).ConfigureAwait(false);
            await channel.ExchangeDeclareAsync(_options.Exchange, ExchangeType.Topic, durable: _options.DurableExchange, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            _publishChannel = channel;
        }
        finally
        {
            _connectGate.Release();
        }
    }

    public async ValueTask DisconnectAsync(CancellationToken cancellationToken = default)
    {
        if (_publishChannel is not null)
        {
            await _publishChannel.CloseAsync(cancellationToken).ConfigureAwait(false);
            _publishChannel.Dispose();
            _publishChannel = null;
        }

        if (_connection is not null)
        {
            await _connection.CloseAsync(cancellationToken).ConfigureAwait(false);
            _connection.Dispose();
            _connection = null;
        }
    }

    public async ValueTask PublishAsync(string topic, BrokerMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(message);
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var properties = new BasicProperties
        {
            Headers = RabbitMqHeaders.ToAmqp(message.Headers),
            ContentType = message.Headers.GetValueOrDefault("Content-Type"),
            Persistent = true, // survives a restart when it sits in a durable queue
        };

        // While the connection is down (a broker restart), the same message again until the connection has recovered
        // and RabbitMQ confirms it, or the caller gives up: nothing is lost; a message whose confirm was lost with the
        // connection may arrive twice.
        while (true)
        {
            // A channel is not safe for concurrent publishes.
            await _publishGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _publishChannel!.BasicPublishAsync(_options.Exchange, topic, mandatory: false, properties, message.Body, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (IsConnectionProblem(e) && !cancellationToken.IsCancellationRequested)
            {
                _logger.LogDebug("Publishing to {Topic} not confirmed yet ({Reason}); retrying", topic, e.Message);
            }
            finally
            {
                _publishGate.Release();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsConnectionProblem(Exception e)
        => e is global::RabbitMQ.Client.Exceptions.OperationInterruptedException or global::RabbitMQ.Client.Exceptions.PublishException
            or IOException or System.Net.Sockets.SocketException;

    public async ValueTask<ISubscription> SubscribeAsync(string topic, BrokerHandler handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(handler);
        options ??= SubscribeOptions.Default;
        if (options.Durable && options.Queue is null)
        {
            throw new ArgumentException($"A durable subscription to '{topic}' needs a Queue: it names the durable queue that keeps its messages.", nameof(options));
        }

        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var channel = await _connection!.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.BasicQosAsync(0, (ushort)Math.Clamp(options.Prefetch, 1, ushort.MaxValue), global: false, cancellationToken).ConfigureAwait(false);
        var queue = options.Queue is null
            ? (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken).ConfigureAwait(false)).QueueName
            : (await channel.QueueDeclareAsync(options.Queue, durable: options.Durable, exclusive: false, autoDelete: !options.Durable, cancellationToken: cancellationToken).ConfigureAwait(false)).QueueName;
        await channel.QueueBindAsync(queue, _options.Exchange, topic, cancellationToken: cancellationToken).ConfigureAwait(false);

        var consumer = new AsyncEventingBasicConsumer(channel);
        var gate = new DeliveryGate(Math.Max(1, options.MaxConcurrency));
        consumer.ReceivedAsync += async (_, e) =>
        {
            var header = RabbitMqHeaders.FromAmqp(e.BasicProperties.Headers);
            var delivered = header.Remove(RabbitMqEvent.DeliveryHeader, out var n) && int.TryParse(n, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) && count > 0 ? count : 1;
            var routed = e.Exchange.Length == 0 && header.Remove(RabbitMqEvent.TopicHeader, out var first) ? first : e.RoutingKey;
            var message = new BrokerMessage(header, e.Body.ToArray());
            // The client dispatches one message at a time: waiting here for a slot holds back the next, and the
            // prefetch (BasicQos) keeps the rest on the server, so a slow subscriber never grows memory.
            await gate.WaitAsync().ConfigureAwait(false);
            var delivery = new RabbitMqEvent(channel, e.DeliveryTag, routed, message, queue, options.Durable) { DeliveryCount = delivered };
            _ = gate.Run(async () => await Deliveries.DeliverAsync(handler, delivery, options, _logger, this, CancellationToken.None).ConfigureAwait(false));
        };
        var tag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
        return new Subscription(channel, tag, topic, options, gate);
    }

    public async ValueTask DisposeAsync()
    {
        await DisconnectAsync().ConfigureAwait(false);
        _connectGate.Dispose();
        _publishGate.Dispose();
    }

    private sealed class RabbitMqEvent(IChannel channel, ulong tag, string topic, BrokerMessage message, string queue, bool durable) : BrokerEvent(topic, message)
    {
        /// <summary>Which delivery a redelivered copy is: RabbitMQ's requeue counts nothing, so the copy carries it.</summary>
        public const string DeliveryHeader = "Micro-Delivery";

        /// <summary>The topic a redelivered copy was first published to.</summary>
        public const string TopicHeader = "Micro-Delivery-Topic";

        protected override ValueTask OnAckAsync(CancellationToken cancellationToken) => channel.BasicAckAsync(tag, multiple: false, cancellationToken);

        protected override ValueTask OnNackAsync(bool requeue, CancellationToken cancellationToken) => channel.BasicNackAsync(tag, multiple: false, requeue, cancellationToken);

        /// <summary>After the wait, a copy counted one more goes to the same queue (the default exchange), then this one is acknowledged.</summary>
        public override async ValueTask RedeliverAsync(TimeSpan delay, CancellationToken cancellationToken = default)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            var header = new Dictionary<string, string>(Message.Headers, StringComparer.OrdinalIgnoreCase)
            {
                [DeliveryHeader] = (DeliveryCount + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                [TopicHeader] = Topic, // the copy's routing key is the queue's name, not the topic
            };
            var properties = new BasicProperties { Headers = RabbitMqHeaders.ToAmqp(header), ContentType = header.GetValueOrDefault("Content-Type"), Persistent = durable };
            await channel.BasicPublishAsync("", queue, mandatory: false, properties, Message.Body, cancellationToken).ConfigureAwait(false);
            await AckAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Subscription(IChannel channel, string consumerTag, string topic, SubscribeOptions options, DeliveryGate gate) : ISubscription
    {
        private int _closed;

        public string Topic => topic;

        public SubscribeOptions Options => options;

        public async ValueTask UnsubscribeAsync(CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _closed, 1) == 1)
            {
                return;
            }

            if (channel.IsOpen)
            {
                await channel.BasicCancelAsync(consumerTag, cancellationToken: cancellationToken).ConfigureAwait(false);
                await gate.DrainAsync().WaitAsync(cancellationToken).ConfigureAwait(false); // deliveries running settle first
                await channel.CloseAsync(cancellationToken).ConfigureAwait(false); // unacknowledged messages go back to the queue
            }

            channel.Dispose();
        }

        public ValueTask DisposeAsync() => UnsubscribeAsync();
    }
}

using System.Text;
using System.Text.Json;
using Micro.Broker;
using Micro.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Micro.Nats;

/// <summary>
/// Broker on NATS: subject = topic, payload = go-micro's JSON envelope, queue groups via queue subscribe.
/// Core NATS delivers at most once (a failed message is not redelivered). A <see cref="SubscribeOptions.Durable"/>
/// subscription uses JetStream instead: a stream captures the topic and a durable consumer named by the queue keeps
/// the subscriber's place, so messages published while it is down arrive when it comes back; a failed message is
/// delivered again. NATS.Net reconnects on its own when the server restarts.
/// </summary>
public sealed class NatsBroker : IBroker
{
    private readonly NatsConnection _connection;
    private readonly ILogger _logger;
    private readonly NatsJSContext _jetStream;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (bool ByStream, long Until)> _captured = new(StringComparer.Ordinal);
    private int _closed;

    /// <param name="url">The server(s): <c>nats://host:port</c>, comma-separated.</param>
    /// <param name="loggerFactory">Where the broker logs.</param>
    /// <param name="tls">TLS to the server (client certificate and CA); null: plain, or the system's roots for <c>tls://</c>.</param>
    /// <param name="configureConnection">Changes NATS.Net's connection options last (<see cref="NatsOptions.ConfigureConnection"/>).</param>
    public NatsBroker(string url = NatsUrl.Default, ILoggerFactory? loggerFactory = null, TransportTls? tls = null, Func<NatsOpts, NatsOpts>? configureConnection = null)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<NatsBroker>();
        Address = Micro.Diagnostics.Secrets.Urls(url); // shown in health replies and logs
        var opts = NatsOpts.Default with
        {
            Url = url,
            Name = "micro-broker",
            TlsOpts = NatsTls.For(tls),
            LoggerFactory = NatsLogging.Wrap(loggerFactory),
            RetryOnInitialConnect = false,
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(200),
            ReconnectWaitMax = TimeSpan.FromSeconds(2),
            SubPendingChannelFullMode = System.Threading.Channels.BoundedChannelFullMode.Wait,
        };
        _connection = new NatsConnection(configureConnection?.Invoke(opts) ?? opts);
        _jetStream = new NatsJSContext(_connection);
    }

    public string Name => "nats";

    public bool IsConnected => _connection.ConnectionState == NatsConnectionState.Open;

    public string Address { get; }

    public async ValueTask ConnectAsync(CancellationToken cancellationToken = default)
    {
        if (_connection.ConnectionState == NatsConnectionState.Open)
        {
            return; // the common case on every publish
        }

        try
        {
            await _connection.ConnectAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NatsException e)
        {
            throw new InvalidOperationException($"Cannot connect to NATS at {Address}: {e.Message}", e);
        }
    }

    /// <summary>Flushes what was published and closes the connection; the broker cannot be used afterwards.</summary>
    public async ValueTask DisconnectAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }

        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask PublishAsync(string topic, BrokerMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(message);
        if (_connection.ConnectionState != NatsConnectionState.Open)
        {
            await ConnectAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!await IsCapturedByStreamAsync(topic, cancellationToken).ConfigureAwait(false))
        {
            await _connection.PublishAsync(topic, message, serializer: NatsEnvelope.Serializer, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        await PublishAcknowledgedAsync(topic, message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a JetStream stream captures the topic (a durable subscriber made one). Asked of the server and remembered
    /// for 10 s, so a stream created later is found; once a stream is known it stays known (a restart must not turn
    /// acknowledged publishing off).
    /// </summary>
    private async ValueTask<bool> IsCapturedByStreamAsync(string topic, CancellationToken cancellationToken)
    {
        var now = Environment.TickCount64;
        if (_captured.TryGetValue(topic, out var known) && (known.ByStream || known.Until > now))
        {
            return known.ByStream;
        }

        var byStream = false;
        try
        {
            await foreach (var _ in _jetStream.ListStreamNamesAsync(topic, cancellationToken).ConfigureAwait(false))
            {
                byStream = true;
                break;
            }
        }
        catch (NatsException e)
        {
            // JetStream not enabled on this server: every topic is plain NATS.
            _logger.LogDebug("Cannot list JetStream streams for {Topic} ({Reason}); publishing as core NATS", topic, e.Message);
        }

        _captured[topic] = (byStream, now + 10_000);
        return byStream;
    }

    /// <summary>
    /// Published with JetStream's acknowledgement and retried until JetStream has it, with the message id as JetStream's
    /// de-duplication id: a server restart loses nothing and a retried publish is stored once.
    /// </summary>
    private async ValueTask PublishAcknowledgedAsync(string topic, BrokerMessage message, CancellationToken cancellationToken)
    {
        var id = message.Headers.GetValueOrDefault(Micro.Transport.MicroHeaders.Id);
        var headers = id is null ? null : new NatsHeaders { ["Nats-Msg-Id"] = id };
        var opts = new NatsJSPubOpts { RetryAttempts = 1 };
        while (true)
        {
            try
            {
                var ack = await _jetStream.PublishAsync(topic, message, NatsEnvelope.Serializer, opts, headers, cancellationToken).ConfigureAwait(false);
                if (ack.Duplicate)
                {
                    // Stored by an earlier attempt whose acknowledgement was lost (a restart): done, and stored once.
                    return;
                }

                ack.EnsureSuccess();
                return;
            }
            catch (Exception e) when (e is NatsException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                // The server is restarting (or JetStream is loading its streams): the same id again, until the caller gives up.
                _logger.LogDebug("Publishing to {Topic} not acknowledged yet ({Reason}); retrying", topic, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask<ISubscription> SubscribeAsync(string topic, BrokerHandler handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(handler);
        options ??= SubscribeOptions.Default;
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (options.Durable)
        {
            if (options.Queue is null)
            {
                throw new ArgumentException($"A durable subscription to '{topic}' needs a Queue: it names the JetStream consumer that keeps its place.", nameof(options));
            }

            return await DurableSubscription.StartAsync(this, topic, handler, options, cancellationToken).ConfigureAwait(false);
        }

        // Bytes here, decoded on the subscription's own loop: decoding on NATS.Net's socket reader would hold up every other message.
        var sub = await _connection.SubscribeCoreAsync<byte[]>(topic, options.Queue, cancellationToken: cancellationToken).ConfigureAwait(false);
        await _connection.PingAsync(cancellationToken).ConfigureAwait(false); // the server has the subscription when this returns
        return new CoreSubscription(this, topic, handler, options, sub);
    }

    public ValueTask DisposeAsync() => DisconnectAsync();

    /// <summary>
    /// Waits until the server has everything published so far (a ping answered after them): NATS.Net buffers publishes,
    /// and a connection closed without this could drop the last of them.
    /// </summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_connection.ConnectionState != NatsConnectionState.Open)
        {
            return;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await _connection.PingAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or NatsException or ObjectDisposedException)
        {
            _logger.LogWarning("Could not confirm that the last messages reached NATS at {Address}: {Reason}", Address, e.Message);
        }
    }

    /// <summary>JetStream names may not hold '.', '*', '>' or spaces.</summary>
    internal static string SafeName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        return sb.ToString();
    }

    /// <summary>The decoded envelope, or null (logged) when the payload was not one.</summary>
    private BrokerMessage? Decoded(string topic, byte[]? data)
    {
        try
        {
            return NatsEnvelope.Decode(data ?? []);
        }
        catch (JsonException e)
        {
            _logger.LogWarning("Dropping a message on {Topic} that is not a broker envelope: {Reason}", topic, e.Message);
            return null;
        }
    }

    /// <summary>The decoded envelope, or null (logged) when the payload was not one.</summary>
    private BrokerMessage? Decoded(string topic, BrokerMessage? data, NatsException? error)
    {
        if (error is null && data is not null)
        {
            return data;
        }

        _logger.LogWarning("Dropping a message on {Topic} that is not a broker envelope: {Reason}", topic, error?.InnerException?.Message ?? error?.Message ?? "empty payload");
        return null;
    }

    private sealed class CoreSubscription : ISubscription
    {
        private readonly NatsBroker _broker;
        private readonly INatsSub<byte[]> _sub;
        private readonly Task _loop;

        public CoreSubscription(NatsBroker broker, string topic, BrokerHandler handler, SubscribeOptions options, INatsSub<byte[]> sub)
        {
            Gate = new DeliveryGate(Math.Max(1, options.MaxConcurrency));
            _broker = broker;
            _sub = sub;
            Topic = topic;
            Options = options;
            _loop = Task.Run(async () =>
            {
                await foreach (var msg in sub.Msgs.ReadAllAsync().ConfigureAwait(false))
                {
                    if (broker.Decoded(topic, msg.Data) is not { } message)
                    {
                        continue;
                    }

                    // Core NATS cannot deliver again: a failure goes to the dead-letter topic at once (Deliveries). With every
                    // slot busy the loop stops reading; NATS.Net's pending channel (bounded, Wait) then holds back the socket.
                    await Gate.WaitAsync().ConfigureAwait(false);
                    var subject = msg.Subject;
                    _ = Gate.Run(() => IgnoreResult(Deliveries.DeliverAsync(handler, new SimpleBrokerEvent(subject, message, canRedeliver: false), options, broker._logger, broker, CancellationToken.None)));
                }

                await Gate.DrainAsync().ConfigureAwait(false);
            });
        }

        public string Topic { get; }

        public SubscribeOptions Options { get; }

        public DeliveryGate Gate { get; }

        public async ValueTask UnsubscribeAsync(CancellationToken cancellationToken = default)
        {
            await _sub.UnsubscribeAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await UnsubscribeAsync().ConfigureAwait(false);
            await _sub.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class DurableSubscription : ISubscription
    {
        private readonly CancellationTokenSource _stop = new();
        private Task? _loop;

        private DurableSubscription(string topic, SubscribeOptions options)
        {
            Topic = topic;
            Options = options;
            Gate = new DeliveryGate(Math.Max(1, options.MaxConcurrency));
        }

        public DeliveryGate Gate { get; }

        public string Topic { get; }

        public SubscribeOptions Options { get; }

        public static async Task<DurableSubscription> StartAsync(NatsBroker broker, string topic, BrokerHandler handler, SubscribeOptions options, CancellationToken cancellationToken)
        {
            var stream = "MICRO_" + SafeName(topic);
            await broker._jetStream.CreateOrUpdateStreamAsync(new StreamConfig { Name = stream, Subjects = [topic], Storage = StreamConfigStorage.File }, cancellationToken).ConfigureAwait(false);
            var consumer = await broker._jetStream.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig(SafeName(options.Queue!))
            {
                AckPolicy = ConsumerConfigAckPolicy.Explicit,
                DeliverPolicy = ConsumerConfigDeliverPolicy.All,
                FilterSubject = topic,
                MaxAckPending = Math.Max(1, options.Prefetch),
                AckWait = TimeSpan.FromSeconds(30),
                MaxDeliver = Math.Max(1, options.MaxDeliver), // the server's own bound; the last delivery is dead-lettered by Deliveries
            }, cancellationToken).ConfigureAwait(false);
            var sub = new DurableSubscription(topic, options);
            var stop = sub._stop.Token;
            sub._loop = Task.Run(async () =>
            {
                // Keep consuming across server restarts and transient errors until unsubscribed.
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        await foreach (var msg in consumer.ConsumeAsync(NatsEnvelope.Serializer, opts: new NatsJSConsumeOpts { MaxMsgs = Math.Max(1, options.Prefetch) }, cancellationToken: stop).ConfigureAwait(false))
                        {
                            if (broker.Decoded(topic, msg.Data, msg.Error) is not { } message)
                            {
                                await msg.AckAsync(cancellationToken: stop).ConfigureAwait(false); // unreadable: do not redeliver forever
                                continue;
                            }

                            var delivered = (int)Math.Min(int.MaxValue, msg.Metadata?.NumDelivered ?? 1);
                            // With every slot busy the loop stops pulling; the server keeps the rest (MaxMsgs, MaxAckPending).
                            await sub.Gate.WaitAsync(stop).ConfigureAwait(false);
                            var delivery = new JetStreamEvent(msg, message) { DeliveryCount = delivered };
                            _ = sub.Gate.Run(() => IgnoreResult(Deliveries.DeliverAsync(handler, delivery, options, broker._logger, broker, stop)));
                        }
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception e)
                    {
                        broker._logger.LogWarning(e, "Consuming {Topic} from JetStream failed; retrying", topic);
                        try
                        {
                            await Task.Delay(TimeSpan.FromSeconds(1), stop).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            return;
                        }
                    }
                }
            });
            return sub;
        }

        public async ValueTask UnsubscribeAsync(CancellationToken cancellationToken = default)
        {
            // Stops consuming; the durable consumer stays on the server and keeps the subscriber's place.
            if (!_stop.IsCancellationRequested)
            {
                await _stop.CancelAsync().ConfigureAwait(false);
            }

            if (_loop is not null)
            {
                await _loop.ConfigureAwait(false);
            }

            await Gate.DrainAsync().ConfigureAwait(false); // deliveries still running settle (ack or nak) before the subscription is gone
        }

        public async ValueTask DisposeAsync()
        {
            await UnsubscribeAsync().ConfigureAwait(false);
            _stop.Dispose();
        }
    }

    private sealed class JetStreamEvent(INatsJSMsg<BrokerMessage> msg, BrokerMessage message) : BrokerEvent(msg.Subject, message)
    {
        protected override ValueTask OnAckAsync(CancellationToken cancellationToken) => msg.AckAsync(cancellationToken: cancellationToken);

        protected override ValueTask OnNackAsync(bool requeue, CancellationToken cancellationToken)
            => requeue ? msg.NakAsync(cancellationToken: cancellationToken) : msg.AckTerminateAsync(cancellationToken: cancellationToken);

        /// <summary>JetStream waits itself (NAK with a delay), so the consumer goes on with other messages meanwhile.</summary>
        public override async ValueTask RedeliverAsync(TimeSpan delay, CancellationToken cancellationToken = default)
        {
            if (TrySettle())
            {
                await msg.NakAsync(delay: delay, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async ValueTask IgnoreResult(ValueTask<bool> delivery) => await delivery.ConfigureAwait(false);
}

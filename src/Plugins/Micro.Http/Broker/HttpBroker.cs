using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Micro.Diagnostics;
using Micro.Registry;
using Micro.Selector;
using Micro.Transport.Tcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Broker;

/// <summary>
/// The development broker, go-micro's design: each subscriber registers in the registry as service
/// <c>go.micro.http.broker</c> (version = queue name or <c>ff.http.broadcast</c>, node metadata <c>topic</c>), and a publisher
/// looks subscribers up and POSTs the envelope to <c>http://node/_sub?id=nodeId</c>: to every broadcast node and to one
/// node per queue group. Deliveries are queued per subscriber node, so a slow or dead subscriber never blocks a publisher.
/// It keeps no messages: a subscriber that is down misses what is published meanwhile (use NATS or RabbitMQ for that).
/// Every message it does not deliver is counted (<c>micro.broker.dropped</c>) and logged, at most once a second. With a
/// shared secret (<c>--broker_http_secret</c>) envelopes are signed (HMAC-SHA256 in <c>X-Micro-Signature</c>) and unsigned
/// or wrongly signed ones refused, so nobody who can reach a subscriber's port can inject events.
/// </summary>
public sealed class HttpBroker : IBroker
{
    public const string ServiceName = "go.micro.http.broker";
    public const string Broadcast = "ff.http.broadcast";
    private const int MaxQueuedPerNode = 10_000;

    private readonly IRegistry _registry;
    private readonly RegistrySelector _selector;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _listenAddress;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _interval;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Outbox> _outboxes = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private WebApplication? _app;

    public bool IsConnected => _app is not null;

    /// <summary>The header carrying an envelope's signature: <c>sha256=</c> and the hex HMAC of the body.</summary>
    public const string SignatureHeader = "X-Micro-Signature";

    private readonly byte[]? _secret;
    private readonly LogThrottle _dropLog = new();
    private long _droppedTotal;
    private long _lastSweep;

    /// <param name="secret"><c>--broker_http_secret</c>: signs envelopes and refuses unsigned ones (null: neither, as go-micro).</param>
    /// <param name="allowLinkLocal"><c>--allow_link_local</c>: deliver to subscribers at link-local and metadata addresses too.</param>
    public HttpBroker(IRegistry registry, string? address = null, TimeSpan? registerTtl = null, TimeSpan? registerInterval = null,
        ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, string? secret = null, bool allowLinkLocal = false)
    {
        _secret = string.IsNullOrEmpty(secret) ? null : System.Text.Encoding.UTF8.GetBytes(secret);
        if (_secret is { Length: < 16 })
        {
            throw new ArgumentException($"--broker_http_secret must be at least 16 bytes (it is {_secret.Length})");
        }

        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<HttpBroker>();
        _time = timeProvider ?? TimeProvider.System;
        _listenAddress = string.IsNullOrWhiteSpace(address) ? "127.0.0.1:0" : address;
        _ttl = registerTtl ?? TimeSpan.FromSeconds(60);
        _interval = registerInterval ?? TimeSpan.FromSeconds(30);
        _selector = new RegistrySelector(registry, new RandomStrategy(), SelectorOptions.Default, _time, loggerFactory.CreateLogger<RegistrySelector>());
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(2),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            UseProxy = false,
            ConnectCallback = Transport.DialGuard.HttpConnect(allowLinkLocal), // a registered subscriber names its address: never link-local
        })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public string Name => "http";

    public string Address { get; private set; } = "";

    public async ValueTask ConnectAsync(CancellationToken cancellationToken = default)
    {
        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_app is not null)
            {
                return;
            }

            var endPoint = await TcpAddress.ResolveAsync(_listenAddress, cancellationToken).ConfigureAwait(false);
            (_app, Address) = await Transport.Http.KestrelEndpoint.StartAsync(endPoint, app => app.MapPost("/_sub", HandleAsync), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _connectGate.Release();
        }
    }

    public async ValueTask DisconnectAsync(CancellationToken cancellationToken = default)
    {
        // Deliver what is queued (bounded), so a publisher that disconnects and exits loses nothing it published.
        var outboxes = _outboxes.Values.ToArray();
        _outboxes.Clear();
        foreach (var outbox in outboxes)
        {
            outbox.Complete();
        }

        await Task.WhenAny(Task.WhenAll(outboxes.Select(o => o.Drained)), Task.Delay(TimeSpan.FromSeconds(10), cancellationToken)).ConfigureAwait(false);
        foreach (var sub in _subscriptions.Values)
        {
            await sub.UnsubscribeAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    public async ValueTask PublishAsync(string topic, BrokerMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(message);
        var header = new Dictionary<string, string>(message.Headers, StringComparer.OrdinalIgnoreCase) { [BrokerEnvelope.TopicHeader] = topic };
        var body = JsonSerializer.SerializeToUtf8Bytes(new BrokerEnvelope(header, message.Body.ToArray()), BrokerJsonContext.Default.BrokerEnvelope);
        var nodes = await _selector.GetNodesAsync(ServiceName, cancellationToken).ConfigureAwait(false);
        ForgetDeparted(nodes);
        foreach (var group in nodes.Where(n => n.Node.Metadata?.GetValueOrDefault("topic") == topic).GroupBy(n => n.Version))
        {
            if (group.Key == Broadcast)
            {
                foreach (var node in group)
                {
                    Send(node, body, topic, null);
                }
            }
            else
            {
                Send(PickMember(group.ToArray(), null), body, topic, group.Key);
            }
        }
    }

    public async ValueTask<ISubscription> SubscribeAsync(string topic, BrokerHandler handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(handler);
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        options ??= SubscribeOptions.Default;
        var id = $"{ServiceName}-{Guid.NewGuid()}";
        var registration = new Service
        {
            Name = ServiceName,
            Version = options.Queue ?? Broadcast,
            Nodes = [new Node { Id = id, Address = Address, Metadata = new Dictionary<string, string> { ["topic"] = topic, ["broker"] = "http", ["secure"] = "false" } }],
        };
        var lease = new RegistrationLease(_registry, registration, _ttl, _interval, $"the subscription to {topic}", _time, _logger);
        var sub = new Subscription(this, id, topic, handler, options, lease);
        _subscriptions[id] = sub;
        try
        {
            await lease.AcquireAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _subscriptions.TryRemove(id, out _); // not registered: nothing is delivered to it, nothing left behind
            throw;
        }

        return sub;
    }

    public async ValueTask DisposeAsync()
    {
        await DisconnectAsync().ConfigureAwait(false);
        await _selector.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
        _connectGate.Dispose();
    }

    private static SelectableNode PickMember(SelectableNode[] members, string? avoid)
    {
        var candidates = avoid is null || members.Length == 1 ? members : members.Where(m => m.Id != avoid).ToArray();
        return candidates[Random.Shared.Next(candidates.Length)];
    }

    /// <summary>Outboxes of subscribers that left the registry are closed (at most once a second), so they do not pile up.</summary>
    private void ForgetDeparted(SelectableNode[] nodes)
    {
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastSweep);
        if (_outboxes.IsEmpty || _time.GetElapsedTime(last, now) < TimeSpan.FromSeconds(1) || Interlocked.CompareExchange(ref _lastSweep, now, last) != last)
        {
            return;
        }

        var live = nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, outbox) in _outboxes)
        {
            if (!live.Contains(id) && _outboxes.TryRemove(KeyValuePair.Create(id, outbox)))
            {
                outbox.Complete(); // what it holds is still tried; then its loop ends
            }
        }
    }

    /// <summary>Counts a message not delivered and says so (at most once a second, so a flood is not a flood of lines).</summary>
    internal void Dropped(string topic, string reason, string detail)
    {
        MicroTelemetry.BrokerDropped.Add(1, new KeyValuePair<string, object?>("topic", topic), new KeyValuePair<string, object?>("reason", reason));
        Interlocked.Increment(ref _droppedTotal);
        if (_dropLog.ShouldLog())
        {
            _logger.LogWarning("http broker: a message of {Topic} was not delivered ({Reason}): {Detail}; {Total} dropped so far", topic, reason, detail, Interlocked.Read(ref _droppedTotal));
        }
    }

    /// <summary>Subscriber nodes this publisher holds an outbox for (tests: departed ones are let go).</summary>
    internal int OutboxCount => _outboxes.Count;

    /// <summary>Messages not delivered since start (also the <c>micro.broker.dropped</c> counter).</summary>
    public long DroppedCount => Interlocked.Read(ref _droppedTotal);

    private void Send(SelectableNode node, byte[] body, string topic, string? queue)
    {
        if (!NodeAddress.IsValid(node.Node.Address, out var problem))
        {
            Dropped(topic, "invalid_address", $"subscriber {node.Id} is registered at an address that is not host:port: {problem}");
            return;
        }

        var outbox = _outboxes.GetOrAdd(node.Id, static (_, state) => new Outbox(state.self, state.node), (self: this, node));
        outbox.Enqueue(new Pending(body, topic, queue, Attempt: 1));
    }

    /// <summary>A queue-group message its member could not take goes to another member (once).</summary>
    private async ValueTask RerouteAsync(SelectableNode failed, Pending pending)
    {
        if (pending.Queue is null || pending.Attempt > 1)
        {
            Dropped(pending.Topic, "refused", $"subscriber {failed.Id} did not accept it");
            return;
        }

        var members = (await _selector.GetNodesAsync(ServiceName).ConfigureAwait(false))
            .Where(n => n.Version == pending.Queue && n.Node.Metadata?.GetValueOrDefault("topic") == pending.Topic && n.Id != failed.Id).ToArray();
        if (members.Length == 0)
        {
            Dropped(pending.Topic, "refused", $"no other member of queue {pending.Queue}");
            return;
        }

        var next = PickMember(members, failed.Id);
        _outboxes.GetOrAdd(next.Id, static (_, state) => new Outbox(state.self, state.next), (self: this, next)).Enqueue(pending with { Attempt = pending.Attempt + 1 });
    }

    private async Task HandleAsync(HttpContext context)
    {
        var id = context.Request.Query["id"].ToString();
        if (!_subscriptions.TryGetValue(id, out var sub))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound; // unsubscribed: the publisher drops or reroutes
            return;
        }

        // With every slot busy the request waits before its body is read, so the body stays in the socket and the
        // publisher's per-node outbox (bounded) holds back: a slow subscriber never grows memory here.
        await sub.Gate.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        await sub.Gate.Run(() => new ValueTask(ReceiveAsync(context, sub))).ConfigureAwait(false);
    }

    private async Task ReceiveAsync(HttpContext context, Subscription sub)
    {
        BrokerEnvelope? envelope;
        try
        {
            if (_secret is not null)
            {
                // Read whole (bounded by Kestrel's body limit) to check the signature before anything is decoded.
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
                if (!SignatureMatches(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), context.Request.Headers[SignatureHeader].ToString()))
                {
                    Dropped(sub.Topic, "unsigned", $"an envelope from {context.Connection.RemoteIpAddress} without a valid {SignatureHeader}");
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    await context.Response.WriteAsync($"envelope not signed with this broker's secret ({SignatureHeader})", context.RequestAborted).ConfigureAwait(false);
                    return;
                }

                buffer.Position = 0;
                envelope = await JsonSerializer.DeserializeAsync(buffer, BrokerJsonContext.Default.BrokerEnvelope, context.RequestAborted).ConfigureAwait(false);
            }
            else
            {
                envelope = await JsonSerializer.DeserializeAsync(context.Request.Body, BrokerJsonContext.Default.BrokerEnvelope, context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (JsonException e)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("invalid broker envelope: " + e.Message, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var header = envelope?.Header is { } received ? new Dictionary<string, string>(received, StringComparer.OrdinalIgnoreCase) : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var topic = header.Remove(BrokerEnvelope.TopicHeader, out var t) ? t : sub.Topic;
        bool? acked = null;
        // The http broker keeps nothing: a failed message cannot come again, so Deliveries dead-letters it at once.
        var delivery = new SimpleBrokerEvent(topic, new BrokerMessage(header, envelope?.Body ?? []), (ack, _) =>
        {
            acked = ack;
            return ValueTask.CompletedTask;
        }, canRedeliver: false);
        var handled = await Deliveries.DeliverAsync(sub.Handler, delivery, sub.Options, _logger, this, context.RequestAborted).ConfigureAwait(false);
        // Acknowledged (dead-lettered included): 200, so the publisher does not hand it to another member as well.
        context.Response.StatusCode = acked ?? handled ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError;
    }

    /// <summary><c>sha256=</c> and the hex HMAC-SHA256 of <paramref name="body"/> under the secret.</summary>
    internal string Sign(ReadOnlySpan<byte> body) => "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(_secret!, body));

    private bool SignatureMatches(ReadOnlySpan<byte> body, string given)
    {
        var expected = System.Text.Encoding.ASCII.GetBytes(Sign(body));
        var actual = System.Text.Encoding.ASCII.GetBytes(given);
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    private readonly record struct Pending(byte[] Body, string Topic, string? Queue, int Attempt);

    /// <summary>The ordered queue of messages for one subscriber node, sent by one loop.</summary>
    private sealed class Outbox
    {
        private readonly Channel<Pending> _queue;
        private readonly HttpBroker _broker;
        private readonly SelectableNode _node;

        public Outbox(HttpBroker broker, SelectableNode node)
        {
            _broker = broker;
            _node = node;
            // Full: the oldest goes, counted and said, never silently.
            _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(MaxQueuedPerNode) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
                dropped => broker.Dropped(dropped.Topic, "queue_full", $"{MaxQueuedPerNode} messages wait for subscriber {node.Id} at {node.Node.Address}"));
            Drained = Task.Run(SendLoopAsync);
        }

        /// <summary>Completes when everything queued was sent (or given up) after <see cref="Complete"/>.</summary>
        public Task Drained { get; }

        public void Enqueue(Pending pending) => _queue.Writer.TryWrite(pending);

        public void Complete() => _queue.Writer.TryComplete();

        private async Task SendLoopAsync()
        {
            var url = new Uri($"http://{_node.Address}/_sub?id={Uri.EscapeDataString(_node.Id)}");
            await foreach (var pending in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    using var content = new ByteArrayContent(pending.Body);
                    content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    if (_broker._secret is not null)
                    {
                        content.Headers.TryAddWithoutValidation(SignatureHeader, _broker.Sign(pending.Body));
                    }

                    using var response = await _broker._http.PostAsync(url, content).ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.NotFound || (int)response.StatusCode >= 500)
                    {
                        await _broker.RerouteAsync(_node, pending).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
                {
                    _broker._logger.LogDebug(e, "Subscriber {Node} at {Address} unreachable", _node.Id, _node.Address);
                    await _broker.RerouteAsync(_node, pending).ConfigureAwait(false);
                }
            }
        }
    }

    private sealed class Subscription(HttpBroker broker, string id, string topic, BrokerHandler handler, SubscribeOptions options, RegistrationLease lease) : ISubscription
    {
        private int _closed;

        public string Topic => topic;

        public SubscribeOptions Options => options;

        public BrokerHandler Handler => handler;

        public DeliveryGate Gate { get; } = new(Math.Max(1, options.MaxConcurrency));

        public async ValueTask UnsubscribeAsync(CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _closed, 1) == 1)
            {
                return;
            }

            broker._subscriptions.TryRemove(id, out _);
            await lease.ReleaseAsync(cancellationToken).ConfigureAwait(false);
            await lease.DisposeAsync().ConfigureAwait(false);
        }

        public ValueTask DisposeAsync() => UnsubscribeAsync();
    }
}

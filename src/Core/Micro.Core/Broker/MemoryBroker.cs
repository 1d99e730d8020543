using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Broker;

/// <summary>
/// An in-process broker (tests, single-process programs). Every subscription has its own delivery loop, handling
/// <see cref="SubscribeOptions.MaxConcurrency"/> messages at once (in order with one) through a <see cref="DeliveryGate"/>;
/// a subscription holds at most <see cref="SubscribeOptions.Prefetch"/> published messages, and a publisher waits for
/// room, so a slow subscriber slows its publishers instead of growing memory;
/// a failed message is redelivered (to another member of its queue group when there is one) as <see cref="Deliveries"/>
/// decides (up to <see cref="SubscribeOptions.MaxDeliver"/>, then the dead-letter topic); a handler that nacks with
/// requeue itself is bounded at 10 deliveries.
/// </summary>
public sealed class MemoryBroker(ILogger<MemoryBroker>? logger = null) : IBroker
{
    private const int MaxAttempts = 10;
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<Subscription>> _topics = new(StringComparer.Ordinal);
    private int _next;

    public string Name => "memory";

    public string Address => "memory";

    public ValueTask ConnectAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask DisconnectAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public async ValueTask PublishAsync(string topic, BrokerMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(message);
        Subscription[] subscribers;
        lock (_gate)
        {
            subscribers = _topics.TryGetValue(topic, out var list) ? list.ToArray() : [];
        }

        foreach (var sub in subscribers.Where(s => s.Options.Queue is null))
        {
            await sub.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        }

        foreach (var group in subscribers.Where(s => s.Options.Queue is not null).GroupBy(s => s.Options.Queue))
        {
            await Pick(group.ToArray(), null).PublishAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask<ISubscription> SubscribeAsync(string topic, BrokerHandler handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(handler);
        var sub = new Subscription(this, topic, handler, options ?? SubscribeOptions.Default);
        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out var list))
            {
                _topics[topic] = list = [];
            }

            list.Add(sub);
        }

        sub.Start();
        return ValueTask.FromResult<ISubscription>(sub);
    }

    public async ValueTask DisposeAsync()
    {
        Subscription[] all;
        lock (_gate)
        {
            all = _topics.Values.SelectMany(l => l).ToArray();
        }

        foreach (var sub in all)
        {
            await sub.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Subscription Pick(Subscription[] members, Subscription? avoid)
    {
        var candidates = members.Length > 1 && avoid is not null ? members.Where(m => m != avoid).ToArray() : members;
        return candidates[(int)((uint)Interlocked.Increment(ref _next) % (uint)candidates.Length)];
    }

    private void Redeliver(Subscription from, BrokerMessage message, int attempt)
    {
        if (attempt > MaxAttempts)
        {
            _logger.LogWarning("Dropping a message of {Topic} after {Attempts} failed deliveries", from.Topic, MaxAttempts);
            return;
        }

        Subscription[] group;
        lock (_gate)
        {
            group = _topics.TryGetValue(from.Topic, out var list) ? list.Where(s => s.Options.Queue == from.Options.Queue && s.Options.Queue is not null).ToArray() : [];
        }

        (group.Length > 0 ? Pick(group, from) : from).Enqueue(message, attempt);
    }

    private void Remove(Subscription sub)
    {
        lock (_gate)
        {
            if (_topics.TryGetValue(sub.Topic, out var list))
            {
                list.Remove(sub);
            }
        }
    }

    private sealed class Subscription(MemoryBroker broker, string topic, BrokerHandler handler, SubscribeOptions options) : ISubscription
    {
        private readonly Channel<(BrokerMessage Message, int Attempt)> _inbox = Channel.CreateUnbounded<(BrokerMessage, int)>(new UnboundedChannelOptions { SingleReader = true });
        private readonly SemaphoreSlim _room = new(Math.Max(1, options.Prefetch)); // published messages held, at most the prefetch
        private readonly CancellationTokenSource _stop = new();
        private Task? _loop;

        public string Topic => topic;

        public SubscribeOptions Options => options;

        public DeliveryGate Gate { get; } = new(Math.Max(1, options.MaxConcurrency));

        /// <summary>Waits for room, then queues a published message (a redelivery never waits: it holds the room its first delivery took).</summary>
        public async ValueTask PublishAsync(BrokerMessage message, CancellationToken cancellationToken)
        {
            await _room.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!_inbox.Writer.TryWrite((message, 1)))
            {
                _room.Release(); // unsubscribed meanwhile
            }
        }

        public void Enqueue(BrokerMessage message, int attempt) => _inbox.Writer.TryWrite((message, attempt));

        public void Start() => _loop = Task.Run(LoopAsync);

        public async ValueTask UnsubscribeAsync(CancellationToken cancellationToken = default)
        {
            broker.Remove(this);
            _inbox.Writer.TryComplete();
            if (_loop is not null)
            {
                await _loop.ConfigureAwait(false);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await UnsubscribeAsync().ConfigureAwait(false);
            _stop.Dispose();
        }

        private async Task LoopAsync()
        {
            await foreach (var (message, attempt) in _inbox.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                await Gate.WaitAsync().ConfigureAwait(false);
                _ = Gate.Run(async () =>
                {
                    var requeue = false;
                    var delivery = new SimpleBrokerEvent(topic, message, (_, again) =>
                    {
                        requeue = again;
                        return ValueTask.CompletedTask;
                    }) { DeliveryCount = attempt };
                    await Deliveries.DeliverAsync(handler, delivery, options, broker._logger, broker, _stop.Token).ConfigureAwait(false);
                    if (requeue)
                    {
                        broker.Redeliver(this, message, attempt + 1);
                    }

                    if (attempt == 1)
                    {
                        _room.Release();
                    }
                });
            }

            await Gate.DrainAsync().ConfigureAwait(false);
        }
    }
}

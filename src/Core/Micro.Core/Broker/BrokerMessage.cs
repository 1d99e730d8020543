using System.Text.Json.Serialization;

namespace Micro.Broker;

/// <summary>A message on the broker: headers and an encoded body (go-micro's <c>{"Header":{...},"Body":"base64"}</c> envelope).</summary>
public sealed class BrokerMessage
{
    public BrokerMessage(Dictionary<string, string>? header = null, ReadOnlyMemory<byte> body = default)
    {
        Header = header ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        Body = body;
    }

    [JsonPropertyName("Header")]
    public Dictionary<string, string> Header { get; }

    [JsonPropertyName("Body")]
    public ReadOnlyMemory<byte> Body { get; set; }
}

/// <summary>Subscription settings. Immutable; change with <c>with { ... }</c>.</summary>
public sealed record SubscribeOptions
{
    public static SubscribeOptions Default { get; } = new();

    /// <summary>Queue group: subscribers with the same queue share the messages (one each); null broadcasts to all.</summary>
    public string? Queue { get; init; }

    /// <summary>Acknowledge when the handler returns (default). When false the handler must call <see cref="BrokerEvent.AckAsync"/>.</summary>
    public bool AutoAck { get; init; } = true;

    /// <summary>Ask a broker that can for a subscription that outlives the subscriber (RabbitMQ durable queue, NATS JetStream consumer).</summary>
    public bool Durable { get; init; }

    /// <summary>On failure, ask a broker that can to deliver the message again (default true).</summary>
    public bool RequeueOnError { get; init; } = true;

    /// <summary>How many unacknowledged messages a subscriber may hold at once (where the broker supports it).</summary>
    public int Prefetch { get; init; } = 64;

    /// <summary>
    /// Deliveries of a message whose handler fails, the first included, before it goes to the dead-letter topic
    /// (default 5). A broker that cannot deliver again (core NATS, http) dead-letters at the first failure.
    /// </summary>
    public int MaxDeliver { get; init; } = 5;

    /// <summary>The wait before the first redelivery; it doubles with each one (capped at 30 s). Default 200 ms.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Where messages go that cannot be decoded or failed <see cref="MaxDeliver"/> times: null is <c>&lt;topic&gt;.dead</c>,
    /// empty turns dead-lettering off (such messages are dropped, with a log line).
    /// </summary>
    public string? DeadLetterTopic { get; init; }

    /// <summary>The dead-letter topic for <paramref name="topic"/> under these options (null: off).</summary>
    public string? DeadLetterTopicFor(string topic) => DeadLetterTopic is null ? topic + ".dead" : DeadLetterTopic.Length == 0 ? null : DeadLetterTopic;
}

/// <summary>
/// A message a subscriber cannot decode (wrong content type, bad JSON...). Delivering it again cannot help, so it goes
/// to the dead-letter topic at once.
/// </summary>
public sealed class MessageDecodeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One delivery to a subscriber.</summary>
public abstract class BrokerEvent
{
    protected BrokerEvent(string topic, BrokerMessage message)
    {
        Topic = topic;
        Message = message;
    }

    public string Topic { get; }

    public BrokerMessage Message { get; }

    /// <summary>Which delivery of this message this is (1 the first), as far as the broker knows.</summary>
    public int DeliveryCount { get; init; } = 1;

    /// <summary>True when a failed message can be delivered again by this broker (false: core NATS, http).</summary>
    public virtual bool CanRedeliver => true;

    /// <summary>
    /// Fails this delivery so that the message comes again after <paramref name="delay"/>, counted as delivery
    /// <see cref="DeliveryCount"/> + 1. By default: wait, then <see cref="NackAsync"/> with requeue.
    /// </summary>
    public virtual async ValueTask RedeliverAsync(TimeSpan delay, CancellationToken cancellationToken = default)
    {
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        await NackAsync(requeue: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The message as <typeparamref name="T"/> by its content type; a failure is a <see cref="MessageDecodeException"/>.</summary>
    public T Decode<T>(Codec.CodecRegistry? codecs = null)
    {
        var contentType = Message.Header.GetValueOrDefault(Transport.MicroHeaders.ContentType) ?? Codec.JsonCodec.MediaType;
        try
        {
            return (codecs ?? Codec.CodecRegistry.Default).Get(contentType).Decode<T>(Message.Body);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            throw new MessageDecodeException($"a message of {Topic} ({contentType}) is not a {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>True once acknowledged or failed (the second call of either is ignored).</summary>
    public bool IsSettled { get; private set; }

    public ValueTask AckAsync(CancellationToken cancellationToken = default)
    {
        if (IsSettled)
        {
            return ValueTask.CompletedTask;
        }

        IsSettled = true;
        return OnAckAsync(cancellationToken);
    }

    /// <summary>Says the message failed; with <paramref name="requeue"/> a broker that can redelivers it.</summary>
    public ValueTask NackAsync(bool requeue = true, CancellationToken cancellationToken = default)
    {
        if (IsSettled)
        {
            return ValueTask.CompletedTask;
        }

        IsSettled = true;
        return OnNackAsync(requeue, cancellationToken);
    }

    /// <summary>For a broker's own settling (a NAK with a delay, a republish): marks it settled; false when it already was.</summary>
    protected bool TrySettle()
    {
        if (IsSettled)
        {
            return false;
        }

        IsSettled = true;
        return true;
    }

    protected abstract ValueTask OnAckAsync(CancellationToken cancellationToken);

    protected abstract ValueTask OnNackAsync(bool requeue, CancellationToken cancellationToken);
}

/// <summary>A delivery whose settlement is reported to a callback: (acknowledged, requeue).</summary>
/// <param name="canRedeliver">False for brokers that cannot deliver a message again (core NATS, http).</param>
public sealed class SimpleBrokerEvent(string topic, BrokerMessage message, Func<bool, bool, ValueTask>? onSettle = null, bool canRedeliver = true) : BrokerEvent(topic, message)
{
    public override bool CanRedeliver => canRedeliver;

    protected override ValueTask OnAckAsync(CancellationToken cancellationToken) => onSettle?.Invoke(true, false) ?? ValueTask.CompletedTask;

    protected override ValueTask OnNackAsync(bool requeue, CancellationToken cancellationToken) => onSettle?.Invoke(false, requeue) ?? ValueTask.CompletedTask;
}

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
}

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

    protected abstract ValueTask OnAckAsync(CancellationToken cancellationToken);

    protected abstract ValueTask OnNackAsync(bool requeue, CancellationToken cancellationToken);
}

/// <summary>A delivery whose settlement is reported to a callback: (acknowledged, requeue).</summary>
public sealed class SimpleBrokerEvent(string topic, BrokerMessage message, Func<bool, bool, ValueTask>? onSettle = null) : BrokerEvent(topic, message)
{
    protected override ValueTask OnAckAsync(CancellationToken cancellationToken) => onSettle?.Invoke(true, false) ?? ValueTask.CompletedTask;

    protected override ValueTask OnNackAsync(bool requeue, CancellationToken cancellationToken) => onSettle?.Invoke(false, requeue) ?? ValueTask.CompletedTask;
}

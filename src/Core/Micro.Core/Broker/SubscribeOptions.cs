namespace Micro.Broker;

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

    /// <summary>How many unacknowledged messages a subscriber may hold at once (where the broker supports it; the memory broker makes its publishers wait past it).</summary>
    public int Prefetch { get; init; } = 64;

    /// <summary>
    /// How many messages the subscriber handles at once (default 1: in order). A subscriber with every slot busy takes
    /// no more messages, so the broker keeps them (<see cref="DeliveryGate"/>); keep <see cref="Prefetch"/> at least this.
    /// </summary>
    public int MaxConcurrency { get; init; } = 1;

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

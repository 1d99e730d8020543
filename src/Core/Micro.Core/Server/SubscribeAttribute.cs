namespace Micro.Server;

/// <summary>
/// Marks a method of a subscriber class as the handler of a topic:
/// <c>[Subscribe("orders.created", Queue = "billing")] public Task On(OrderCreated e, CancellationToken ct)</c>.
/// The parameter may be a message type (decoded by the message's Content-Type) or <see cref="Broker.BrokerEvent"/> (raw, for manual ack).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class SubscribeAttribute(string topic) : Attribute
{
    public string Topic { get; } = topic;

    /// <summary>Queue group: instances sharing it split the messages; without one every instance gets every message.</summary>
    public string? Queue { get; init; }

    /// <summary>Acknowledge when the method returns (default); otherwise take a BrokerEvent and acknowledge yourself.</summary>
    public bool AutoAck { get; init; } = true;

    /// <summary>A subscription that outlives the subscriber, where the broker can (RabbitMQ, NATS JetStream).</summary>
    public bool Durable { get; init; }

    /// <summary>Messages handled at once (default 1: in order); past it the subscriber takes no more and the broker keeps them.</summary>
    public int MaxConcurrency { get; init; } = 1;

    /// <summary>Messages the broker may hand over before they are acknowledged (default 64; at least <see cref="MaxConcurrency"/>).</summary>
    public int Prefetch { get; init; } = 64;
}

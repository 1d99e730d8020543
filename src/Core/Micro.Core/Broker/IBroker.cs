namespace Micro.Broker;

/// <summary>Publish/subscribe messaging: events as a first-class citizen beside RPC.</summary>
public interface IBroker : IAsyncDisposable
{
    /// <summary>The name used to select this broker by configuration (<c>http</c>, <c>memory</c>, <c>nats</c>, <c>rabbitmq</c>).</summary>
    string Name { get; }

    /// <summary>Where it connects (or listens), for display and node metadata.</summary>
    string Address { get; }

    ValueTask ConnectAsync(CancellationToken cancellationToken = default);

    /// <summary>Whether the broker can deliver now (readiness: <c>Debug.Health</c> and health checks report it).</summary>
    bool IsConnected => true;

    ValueTask DisconnectAsync(CancellationToken cancellationToken = default);

    /// <summary>Publishes to a topic. A topic nobody subscribes to is not an error.</summary>
    ValueTask PublishAsync(string topic, BrokerMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes <paramref name="handler"/> to a topic. Without a queue every subscriber gets every message; subscribers
    /// sharing a queue name compete: each message goes to one of them.
    /// </summary>
    ValueTask<ISubscription> SubscribeAsync(string topic, BrokerHandler handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default);
}

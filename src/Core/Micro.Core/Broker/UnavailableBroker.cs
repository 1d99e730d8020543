namespace Micro.Broker;

/// <summary>
/// Stands for the default broker (<c>http</c>) in an app without its package (<c>Micro.Core</c> alone, no
/// <c>Micro.Http</c>): an app that only calls services starts, and the first publish or subscribe fails with
/// <paramref name="problem"/>, the same sentence an unknown broker gets at start.
/// </summary>
internal sealed class UnavailableBroker(string name, string problem) : IBroker
{
    public string Name => name;

    public string Address => "";

    public string Problem => problem;

    public bool IsConnected => false;

    public ValueTask ConnectAsync(CancellationToken cancellationToken = default) => throw new InvalidOperationException(problem);

    public ValueTask DisconnectAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask PublishAsync(string topic, BrokerMessage message, CancellationToken cancellationToken = default) => throw new InvalidOperationException(problem);

    public ValueTask<ISubscription> SubscribeAsync(string topic, BrokerHandler handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
        => throw new InvalidOperationException(problem);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

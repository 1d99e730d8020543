namespace Micro.Broker;

/// <summary>A live subscription; disposing it unsubscribes.</summary>
public interface ISubscription : IAsyncDisposable
{
    string Topic { get; }

    SubscribeOptions Options { get; }

    ValueTask UnsubscribeAsync(CancellationToken cancellationToken = default);
}

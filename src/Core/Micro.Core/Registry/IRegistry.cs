namespace Micro.Registry;

/// <summary>Service discovery: where services register their nodes and where callers find them.</summary>
public interface IRegistry : IAsyncDisposable
{
    /// <summary>The name used to select this registry by configuration (<c>local</c>, <c>memory</c>, <c>etcd</c>...).</summary>
    string Name { get; }

    /// <summary>
    /// Registers (or refreshes) every node of <paramref name="service"/> for <paramref name="ttl"/>.
    /// A node that is not registered again within its TTL is never returned.
    /// </summary>
    ValueTask RegisterAsync(Service service, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Removes the nodes of <paramref name="service"/>.</summary>
    ValueTask DeregisterAsync(Service service, CancellationToken cancellationToken = default);

    /// <summary>Every version of the named service with its live nodes; empty when there is none.</summary>
    ValueTask<IReadOnlyList<Service>> GetServiceAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Every service with at least one live node.</summary>
    ValueTask<IReadOnlyList<Service>> ListServicesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes to nodes, as they happen, until cancelled. <paramref name="service"/> narrows to one service.
    /// <paramref name="established"/> is called once, when the watch is in place: every change made after that is
    /// reported (what a test or a tool waits on instead of a delay).
    /// </summary>
    IAsyncEnumerable<RegistryEvent> WatchAsync(string? service, Action? established, CancellationToken cancellationToken = default);

    /// <summary>Changes to nodes, as they happen, until cancelled (<see cref="WatchAsync(string?, Action?, CancellationToken)"/> with no signal).</summary>
    IAsyncEnumerable<RegistryEvent> WatchAsync(string? service = null, CancellationToken cancellationToken = default) => WatchAsync(service, null, cancellationToken);
}

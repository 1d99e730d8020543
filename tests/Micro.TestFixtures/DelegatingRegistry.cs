using Micro.Registry;

namespace Micro.TestFixtures;

/// <summary>Passes everything to another registry; a test overrides the one member it wants to watch or break.</summary>
public abstract class DelegatingRegistry(IRegistry inner) : IRegistry
{
    protected IRegistry Inner => inner;

    public virtual string Name => inner.Name;

    public virtual ValueTask RegisterAsync(Service service, TimeSpan ttl, CancellationToken cancellationToken = default) => inner.RegisterAsync(service, ttl, cancellationToken);

    public virtual ValueTask DeregisterAsync(Service service, CancellationToken cancellationToken = default) => inner.DeregisterAsync(service, cancellationToken);

    public virtual ValueTask<IReadOnlyList<Service>> GetServiceAsync(string name, CancellationToken cancellationToken = default) => inner.GetServiceAsync(name, cancellationToken);

    public virtual ValueTask<IReadOnlyList<Service>> ListServicesAsync(CancellationToken cancellationToken = default) => inner.ListServicesAsync(cancellationToken);

    public IAsyncEnumerable<RegistryEvent> WatchAsync(string? service = null, CancellationToken cancellationToken = default) => WatchAsync(service, null, cancellationToken);

    public virtual IAsyncEnumerable<RegistryEvent> WatchAsync(string? service, Action? established, CancellationToken cancellationToken = default) => inner.WatchAsync(service, established, cancellationToken);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return inner.DisposeAsync();
    }
}

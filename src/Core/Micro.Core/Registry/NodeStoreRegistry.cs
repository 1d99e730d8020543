using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Micro.Registry;

/// <summary>
/// The shared logic of registries that store one record per node with an expiry (memory, local, and third-party stores:
/// see docs/plugins.md): expired records are never returned, and watches are computed by diffing snapshots on every
/// change and on a poll, so expiry produces delete events too. A store implements three methods (write, remove, read
/// all) and calls <see cref="NotifyChanged"/> when it learns of a change made elsewhere.
/// </summary>
public abstract class NodeStoreRegistry : IRegistry
{
    private readonly ChangeSignal _changed = new();
    private readonly CancellationTokenSource _disposed = new();

    protected NodeStoreRegistry(TimeProvider? timeProvider, TimeSpan pollInterval)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        PollInterval = pollInterval;
    }

    public abstract string Name { get; }

    protected TimeProvider TimeProvider { get; }

    protected TimeSpan PollInterval { get; }

    /// <summary>Stores the record (one node), replacing the one with the same <see cref="NodeRecord.Key"/>.</summary>
    protected abstract ValueTask WriteAsync(NodeRecord record, CancellationToken cancellationToken);

    /// <summary>Removes the node's record; removing one that is not there is not an error.</summary>
    protected abstract ValueTask RemoveAsync(string service, string nodeId, CancellationToken cancellationToken);

    /// <summary>
    /// Every stored record of <paramref name="service"/> (null: of every service), expired ones included: the base class
    /// drops those. A record that cannot be read (anyone who can write the store can write anything) is left out.
    /// </summary>
    protected abstract ValueTask<IReadOnlyList<NodeRecord>> ReadAllAsync(string? service, CancellationToken cancellationToken);

    /// <summary>Tells watchers to look again (a store calls this when it learns of a change).</summary>
    protected void NotifyChanged() => _changed.Notify();

    public async ValueTask RegisterAsync(Service service, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        Validate(service);
        if (ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "The registration TTL must be positive.");
        }

        var expires = TimeProvider.GetUtcNow() + ttl;
        foreach (var single in ServiceMerger.SplitNodes(service))
        {
            var json = JsonSerializer.Serialize(single, RegistryJsonContext.Default.Service);
            await WriteAsync(new NodeRecord(single, expires, json), cancellationToken).ConfigureAwait(false);
        }

        NotifyChanged();
    }

    public async ValueTask DeregisterAsync(Service service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        foreach (var node in service.Nodes)
        {
            await RemoveAsync(service.Name, node.Id, cancellationToken).ConfigureAwait(false);
        }

        NotifyChanged();
    }

    public async ValueTask<IReadOnlyList<Service>> GetServiceAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return ServiceMerger.Merge(await ReadLiveAsync(name, cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask<IReadOnlyList<Service>> ListServicesAsync(CancellationToken cancellationToken = default)
        => ServiceMerger.Merge(await ReadLiveAsync(null, cancellationToken).ConfigureAwait(false));

    public IAsyncEnumerable<RegistryEvent> WatchAsync(string? service = null, CancellationToken cancellationToken = default) => WatchAsync(service, null, cancellationToken);

    public async IAsyncEnumerable<RegistryEvent> WatchAsync(string? service, Action? established, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var token = linked.Token;
        // The signal is taken before each snapshot, so a change made while the consumer is busy is never missed.
        var changed = _changed.WaitAsync();
        var known = ToMap(await ReadLiveAsync(service, token).ConfigureAwait(false));
        established?.Invoke(); // the signal was taken before this snapshot: any later change is seen
        while (!token.IsCancellationRequested)
        {
            try
            {
                await changed.WaitAsync(PollInterval, TimeProvider, token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Poll: expiry and writers we were not told about.
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            changed = _changed.WaitAsync();
            Dictionary<string, NodeRecord> now;
            try
            {
                now = ToMap(await ReadLiveAsync(service, token).ConfigureAwait(false));
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            var at = TimeProvider.GetUtcNow();
            foreach (var (key, record) in now)
            {
                if (!known.TryGetValue(key, out var before))
                {
                    yield return new RegistryEvent(RegistryAction.Create, record.Service, at);
                }
                else if (before.Fingerprint != record.Fingerprint)
                {
                    yield return new RegistryEvent(RegistryAction.Update, record.Service, at);
                }
            }

            foreach (var (key, record) in known)
            {
                if (!now.ContainsKey(key))
                {
                    yield return new RegistryEvent(RegistryAction.Delete, record.Service, at);
                }
            }

            known = now;
        }
    }

    public virtual ValueTask DisposeAsync()
    {
        if (!_disposed.IsCancellationRequested)
        {
            _disposed.Cancel();
        }

        _disposed.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private async ValueTask<List<NodeRecord>> ReadLiveAsync(string? service, CancellationToken cancellationToken)
    {
        var now = TimeProvider.GetUtcNow();
        var all = await ReadAllAsync(service, cancellationToken).ConfigureAwait(false);
        var live = new List<NodeRecord>(all.Count);
        foreach (var record in all)
        {
            if (record.Expires > now && (service is null || record.Service.Name == service))
            {
                live.Add(record);
            }
        }

        return live;
    }

    private static Dictionary<string, NodeRecord> ToMap(List<NodeRecord> records)
    {
        var map = new Dictionary<string, NodeRecord>(records.Count);
        foreach (var r in records)
        {
            map[r.Key] = r;
        }

        return map;
    }

    private static void Validate(Service service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (string.IsNullOrWhiteSpace(service.Name))
        {
            throw new ArgumentException("A service needs a name to be registered.", nameof(service));
        }

        if (service.Nodes.Count == 0)
        {
            throw new ArgumentException($"Service '{service.Name}' has no nodes to register.", nameof(service));
        }

        foreach (var node in service.Nodes)
        {
            if (string.IsNullOrWhiteSpace(node.Id) || string.IsNullOrWhiteSpace(node.Address))
            {
                throw new ArgumentException($"Every node of service '{service.Name}' needs an id and an address.", nameof(service));
            }
        }
    }
}

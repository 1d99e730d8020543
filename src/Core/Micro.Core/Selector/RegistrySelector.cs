using System.Collections.Concurrent;
using Micro.Registry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Selector;

/// <summary>
/// Selects nodes from a cache of the registry kept fresh by one registry watch, so a call costs no registry round trip.
/// Applies filters, skips ejected and already-tried nodes, delegates the choice to a strategy, and learns from every
/// attempt's <see cref="Report"/> (<see cref="NodeStats"/>, <see cref="OutlierDetector"/>).
/// </summary>
public sealed class RegistrySelector : ISelector
{
    private readonly IRegistry _registry;
    private readonly ISelectionStrategy _strategy;
    private readonly SelectorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly NodeClock _clock;
    private readonly OutlierDetector _outliers;
    private readonly ConcurrentDictionary<string, NodeStats> _stats = new(StringComparer.Ordinal); // by service and node id
    private readonly ConcurrentDictionary<string, CacheEntry> _cache = new();
    private readonly ConcurrentDictionary<string, byte> _refreshing = new();
    private int _watchFailing;
    private int _outage; // 1 while the registry is unreachable: logged once when it starts and once when it ends
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _watchGate = new();
    private Task? _watch;

    public RegistrySelector(IRegistry registry, ISelectionStrategy? strategy = null, SelectorOptions? options = null, TimeProvider? timeProvider = null, ILogger<RegistrySelector>? logger = null)
    {
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _strategy = strategy ?? new RandomStrategy();
        _options = options ?? SelectorOptions.Default;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _clock = new NodeClock(_time, _options);
        _outliers = new OutlierDetector(_options, _clock, _logger);
        EnsureWatching(); // before the first lookup, so no change slips between a lookup and the watch
    }

    public ISelectionStrategy Strategy => _strategy;

    /// <summary>Services in the cache (for tests: names nobody serves are not kept).</summary>
    internal int CachedServices => _cache.Count;

    /// <summary>Nodes with statistics (for tests: nodes that left are forgotten).</summary>
    internal int TrackedNodes => _stats.Count;

    public async ValueTask<SelectableNode> SelectAsync(string service, SelectRequest request, CancellationToken cancellationToken = default)
    {
        var nodes = await GetNodesAsync(service, cancellationToken).ConfigureAwait(false);
        if (nodes.Length == 0)
        {
            throw MicroException.NotFound("go.micro.client", $"service {service}: not found (no live nodes in the {_registry.Name} registry)");
        }

        IReadOnlyList<SelectableNode> candidates = nodes;
        var anyEjected = _outliers.AnyEjected;
        if (request.Filter is not null || request.Exclude is { Count: > 0 } || anyEjected)
        {
            candidates = Narrow(service, nodes, request);
        }

        var chosen = _strategy.Pick(service, candidates, request);
        if (anyEjected)
        {
            _outliers.OnChosen(chosen.Stats, _clock.Now());
        }

        chosen.Stats.Begin();
        return chosen;
    }

    public void Report(string service, SelectableNode node, NodeOutcome outcome, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(node);
        var siblings = _cache.TryGetValue(service, out var entry) ? entry.Nodes : [node];
        _outliers.Report(service, node, outcome, _clock.Ticks(elapsed), siblings);
    }

    /// <summary>The cached nodes of a service (reads the registry on first use or when the cache entry is stale).</summary>
    public async ValueTask<SelectableNode[]> GetNodesAsync(string service, CancellationToken cancellationToken = default)
    {
        EnsureWatching();
        if (_cache.TryGetValue(service, out var entry))
        {
            if (entry.FreshUntil <= _time.GetUtcNow())
            {
                // Stale: answer from the cache now and re-read in the background, so a slow or unreachable
                // registry never delays a call to nodes we already know.
                RefreshInBackground(service, entry);
            }

            return entry.Nodes;
        }

        return await RefreshAsync(service, null, cancellationToken).ConfigureAwait(false);
    }

    private void RefreshInBackground(string service, CacheEntry entry)
    {
        if (!_refreshing.TryAdd(service, 0))
        {
            return; // one refresh per service at a time
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await RefreshAsync(service, entry, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                _refreshing.TryRemove(service, out _);
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return; // a container that registered it under two types disposes it twice
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_watch is not null)
        {
            try
            {
                await _watch.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    private int _disposed;

    private IReadOnlyList<SelectableNode> Narrow(string service, SelectableNode[] nodes, in SelectRequest request)
    {
        var filtered = new List<SelectableNode>(nodes.Length);
        foreach (var node in nodes)
        {
            if (request.Filter is null || request.Filter.Matches(node))
            {
                filtered.Add(node);
            }
        }

        if (filtered.Count == 0)
        {
            throw MicroException.NotFound("go.micro.client", $"service {service}: no node matches the filter {Describe(request.Filter)}");
        }

        // Prefer nodes neither tried already in this call nor ejected; fall back rather than fail,
        // because a skipped node is still better than no answer.
        var exclude = request.Exclude;
        var now = _clock.Now();
        var healthy = filtered.FindAll(n => _outliers.IsAvailable(n.Stats, now) && !(exclude?.Contains(n.Id) ?? false));
        if (healthy.Count > 0)
        {
            return healthy;
        }

        var untried = filtered.FindAll(n => !(exclude?.Contains(n.Id) ?? false));
        return untried.Count > 0 ? untried : filtered;
    }

    private static string Describe(SelectFilter? f)
        => f is null ? "(none)" : $"(version={f.Version ?? "*"}, endpoint={f.Endpoint ?? "*"}, metadata={(f.NodeMetadata is null ? "*" : string.Join(",", f.NodeMetadata.Select(kv => kv.Key + "=" + kv.Value)))})";

    private async ValueTask<SelectableNode[]> RefreshAsync(string service, CacheEntry? previous, CancellationToken cancellationToken)
    {
        IReadOnlyList<Service> versions;
        try
        {
            versions = await _registry.GetServiceAsync(service, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (previous is not null && e is not OperationCanceledException)
        {
            // Keep serving the last known nodes while the registry is unreachable; say so once, not per call.
            if (Interlocked.Exchange(ref _outage, 1) == 0)
            {
                _logger.LogWarning("Registry {Registry} unreachable ({Reason}); serving the last known nodes until it returns", _registry.Name, e.Message);
            }

            _cache[service] = previous with { FreshUntil = _time.GetUtcNow() + TimeSpan.FromSeconds(5) };
            return previous.Nodes;
        }

        if (Interlocked.Exchange(ref _outage, 0) == 1)
        {
            _logger.LogInformation("Registry {Registry} reachable again", _registry.Name);
        }

        var nodes = Flatten(versions, node => _stats.GetOrAdd(service + "/" + node.Id, static (_, clock) => new NodeStats(clock), _clock));
        if (Array.Exists(nodes, n => !NodeAddress.IsValid(n.Node, unnamedIsHostPort: false, out _)))
        {
            nodes = Valid(service, nodes);
        }

        if (previous is not null)
        {
            ForgetGone(service, previous.Nodes, nodes);
        }

        if (nodes.Length == 0)
        {
            // Not cached: names nobody serves (a gateway's callers choose them) must not grow the cache.
            _cache.TryRemove(service, out _);
            return nodes;
        }

        _cache[service] = new CacheEntry(nodes, _time.GetUtcNow() + _options.CacheTtl);
        return nodes;
    }

    /// <summary>
    /// The nodes whose address is <c>host:port</c>: anyone who can register can write anything there, and it is dialled
    /// and pasted into URLs. Each node left out is logged (once per cache refresh, never per call).
    /// </summary>
    private SelectableNode[] Valid(string service, SelectableNode[] nodes)
    {
        var kept = new List<SelectableNode>(nodes.Length);
        foreach (var node in nodes)
        {
            if (NodeAddress.IsValid(node.Node, unnamedIsHostPort: false, out var problem))
            {
                kept.Add(node);
            }
            else
            {
                _logger.LogWarning("Registry {Registry}: node {Node} of {Service} left out: address {Problem}", _registry.Name, node.Node.Id, service, problem);
                _stats.TryRemove(service + "/" + node.Id, out _);
            }
        }

        return kept.ToArray();
    }

    /// <summary>Drops what was learned about nodes that left the registry.</summary>
    private void ForgetGone(string service, SelectableNode[] before, SelectableNode[] now)
    {
        foreach (var old in before)
        {
            if (!Array.Exists(now, n => n.Stats == old.Stats) && _stats.TryRemove(service + "/" + old.Id, out var gone))
            {
                _outliers.Forget(gone);
            }
        }
    }

    private static readonly NodeClock DefaultClock = new(TimeProvider.System, SelectorOptions.Default);

    internal static SelectableNode[] Flatten(IReadOnlyList<Service> versions, Func<Node, NodeStats>? stats = null)
    {
        var list = new List<SelectableNode>();
        foreach (var version in versions)
        {
            var endpoints = version.Endpoints.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            var idempotent = version.Endpoints.Where(e => e.Metadata?.GetValueOrDefault(Server.ContractEndpoints.IdempotentKey) == "true").Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var node in version.Nodes)
            {
                list.Add(new SelectableNode(node, version.Version, endpoints, stats?.Invoke(node) ?? new NodeStats(DefaultClock), idempotent.Count > 0 ? idempotent : null));
            }
        }

        return list.ToArray();
    }

    private void EnsureWatching()
    {
        if (_watch is not null)
        {
            return;
        }

        lock (_watchGate)
        {
            _watch ??= Task.Run(() => WatchLoopAsync(_stop.Token));
        }
    }

    private async Task WatchLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var changes = _registry.WatchAsync(null, cancellationToken).GetAsyncEnumerator(cancellationToken);
                await using (changes.ConfigureAwait(false))
                {
                    var next = changes.MoveNextAsync(); // starts the watch
                    // Anything cached before the watch began may have missed a change: re-read it on next use.
                    ExpireAll();
                    while (await next.ConfigureAwait(false))
                    {
                        Volatile.Write(ref _watchFailing, 0);
                        // Re-read the whole service: events carry single nodes, the cache holds all versions.
                        var change = changes.Current;
                        if (_cache.TryGetValue(change.Service.Name, out var entry))
                        {
                            await RefreshAsync(change.Service.Name, entry, cancellationToken).ConfigureAwait(false);
                        }

                        next = changes.MoveNextAsync();
                    }
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    return; // ended by our own stop
                }

                // A watch that ends by itself, with no error, was closed by its registry: disposed as the process stops
                // (the order of disposal is not ours), since an outage throws instead. Not a failure to warn about; it is
                // retried a second later, never at once, which would spin.
                _logger.LogDebug("Registry {Registry} ended its watch; watching again in a second", _registry.Name);
                ExpireAll();
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return; // stopping: whatever the registry's client threw on the way out is not an outage
            }
            catch (Exception e)
            {
                if (Interlocked.Exchange(ref _watchFailing, 1) == 0)
                {
                    _logger.LogWarning("Registry {Registry} watch failed ({Reason}); retrying every second", _registry.Name, e.Message);
                }

                // Expire everything so stale nodes are not served forever while the watch is down.
                ExpireAll();

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void ExpireAll()
    {
        var now = _time.GetUtcNow();
        foreach (var (name, entry) in _cache)
        {
            _cache[name] = entry with { FreshUntil = now };
        }
    }

    private sealed record CacheEntry(SelectableNode[] Nodes, DateTimeOffset FreshUntil);
}

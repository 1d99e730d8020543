using System.Collections.Concurrent;

namespace Micro.Selector;

/// <summary>Uniformly random (the default, as in go-micro).</summary>
public sealed class RandomStrategy : ISelectionStrategy
{
    public string Name => "random";

    public SelectableNode Pick(string service, IReadOnlyList<SelectableNode> nodes, in SelectRequest request)
        => nodes[nodes.Count == 1 ? 0 : Random.Shared.Next(nodes.Count)];
}

/// <summary>Round robin that rotates across requests (go-micro's rotated only within one call: issues #116, #368).</summary>
public sealed class RoundRobinStrategy : ISelectionStrategy
{
    private readonly ConcurrentDictionary<string, StrongBox<int>> _counters = new();

    public string Name => "roundrobin";

    public SelectableNode Pick(string service, IReadOnlyList<SelectableNode> nodes, in SelectRequest request)
    {
        var counter = _counters.GetOrAdd(service, static _ => new StrongBox<int>(Random.Shared.Next(1024)));
        var n = (uint)Interlocked.Increment(ref counter.Value);
        return nodes[(int)(n % (uint)nodes.Count)];
    }

    private sealed class StrongBox<T>(T value)
    {
        public T Value = value;
    }
}

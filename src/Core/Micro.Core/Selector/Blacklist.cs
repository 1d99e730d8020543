using System.Collections.Concurrent;

namespace Micro.Selector;

/// <summary>Counts consecutive failures per node; a node reaching the threshold is skipped for a while, then tried again.</summary>
internal sealed class Blacklist(SelectorOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, NodeHealth> _nodes = new();

    public bool Enabled => options.BlacklistFailures > 0;

    public void Mark(string nodeId, bool success)
    {
        if (!Enabled)
        {
            return;
        }

        if (success)
        {
            // The common case: nothing to do unless the node had failures.
            if (_nodes.TryGetValue(nodeId, out var known) && known.Failures > 0)
            {
                _nodes.TryRemove(nodeId, out _);
            }

            return;
        }

        _nodes.AddOrUpdate(
            nodeId,
            _ => Fail(new NodeHealth(0, DateTimeOffset.MinValue)),
            (_, h) => Fail(h));
    }

    public bool IsBlocked(string nodeId)
        => Enabled && !_nodes.IsEmpty && _nodes.TryGetValue(nodeId, out var h) && h.BlockedUntil > time.GetUtcNow();

    public bool IsEmpty => _nodes.IsEmpty;

    private NodeHealth Fail(NodeHealth h)
    {
        var failures = h.Failures + 1;
        return failures >= options.BlacklistFailures
            ? new NodeHealth(0, time.GetUtcNow() + options.BlacklistDuration) // skip for a while, then start counting afresh
            : new NodeHealth(failures, h.BlockedUntil);
    }

    private sealed record NodeHealth(int Failures, DateTimeOffset BlockedUntil);
}

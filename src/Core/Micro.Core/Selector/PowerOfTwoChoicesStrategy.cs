namespace Micro.Selector;

/// <summary>
/// Power of two choices (Finagle, Linkerd, YARP): two different nodes at random, the one with the lower
/// <see cref="NodeStats.Load"/> (latency average times attempts in flight) wins. Slow or busy nodes get few calls without
/// any node being starved of the calls that would show it recovered, and no call pays for a scan of every node.
/// </summary>
public sealed class PowerOfTwoChoicesStrategy : ISelectionStrategy
{
    public string Name => "p2c";

    public SelectableNode Pick(string service, IReadOnlyList<SelectableNode> nodes, in SelectRequest request)
    {
        if (nodes.Count == 1)
        {
            return nodes[0];
        }

        var first = Random.Shared.Next(nodes.Count);
        var second = Random.Shared.Next(nodes.Count - 1);
        if (second >= first)
        {
            second++; // two different nodes
        }

        var (a, b) = (nodes[first], nodes[second]);
        return b.Stats.Load < a.Stats.Load ? b : a;
    }
}

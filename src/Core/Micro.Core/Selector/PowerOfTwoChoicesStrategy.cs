namespace Micro.Selector;

/// <summary>
/// Power of two choices (Finagle, Linkerd, YARP): two different nodes at random, the one with the lower
/// <see cref="NodeStats.Load"/> (latency average times attempts in flight) wins; a node with fewer than
/// <see cref="NodeStats.WarmAnswers"/> answers counts as fast as the other. Slow or busy nodes get few calls without
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
        // A node not heard from enough yet (NodeStats.WarmAnswers) is taken to be as fast as the other: so it gets its
        // share of calls until its first answers say what it is, instead of every call (an unknown latency of zero
        // would always win) or none (a slow first answer would keep it out).
        var (ca, cb) = (a.Stats.IsWarm ? a.Stats.CostNow() : 0, b.Stats.IsWarm ? b.Stats.CostNow() : 0);
        if (ca <= 0 || cb <= 0)
        {
            (ca, cb) = (ca <= 0 ? cb : ca, cb <= 0 ? ca : cb);
        }

        return ((cb + 1) * (b.Stats.InFlight + 1)) < ((ca + 1) * (a.Stats.InFlight + 1)) ? b : a;
    }
}

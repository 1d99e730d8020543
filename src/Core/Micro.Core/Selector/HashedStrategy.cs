using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text;

namespace Micro.Selector;

/// <summary>
/// Consistent hashing on a key the caller supplies (<see cref="SelectRequest.Key"/>): the same key goes to the same node
/// while the node set is unchanged, and adding a node to N moves about 1/(N+1) of keys. Each node owns many virtual
/// points on a ring so load spreads evenly. Calls without a key fall back to random.
/// </summary>
public sealed class HashedStrategy : ISelectionStrategy
{
    private readonly int _pointsPerNode;
    private readonly ConditionalWeakTable<IReadOnlyList<SelectableNode>, Ring> _rings = new();

    public HashedStrategy(int pointsPerNode = 160)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pointsPerNode, 1);
        _pointsPerNode = pointsPerNode;
    }

    public string Name => "hashed";

    public SelectableNode Pick(string service, IReadOnlyList<SelectableNode> nodes, in SelectRequest request)
    {
        if (request.Key is null || nodes.Count == 1)
        {
            return nodes[nodes.Count == 1 ? 0 : Random.Shared.Next(nodes.Count)];
        }

        // Node lists are immutable snapshots from the cache, so a ring is built once per snapshot.
        var ring = _rings.GetValue(nodes, n => new Ring(n, _pointsPerNode));
        return ring.Find(Hash(request.Key));
    }

    internal static ulong Hash(string key)
    {
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(key) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(key, buffer)] : Encoding.UTF8.GetBytes(key);
        return XxHash64.HashToUInt64(bytes);
    }

    private sealed class Ring
    {
        private readonly ulong[] _points;
        private readonly SelectableNode[] _owners;

        public Ring(IReadOnlyList<SelectableNode> nodes, int pointsPerNode)
        {
            var entries = new List<(ulong Point, SelectableNode Node)>(nodes.Count * pointsPerNode);
            foreach (var node in nodes)
            {
                for (var i = 0; i < pointsPerNode; i++)
                {
                    // Points depend on the node id only, so other nodes keep their points when one joins or leaves.
                    entries.Add((Hash(node.Id + "#" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)), node));
                }
            }

            entries.Sort(static (a, b) => a.Point.CompareTo(b.Point));
            _points = entries.Select(e => e.Point).ToArray();
            _owners = entries.Select(e => e.Node).ToArray();
        }

        public SelectableNode Find(ulong hash)
        {
            var i = Array.BinarySearch(_points, hash);
            if (i < 0)
            {
                i = ~i;
            }

            return _owners[i == _points.Length ? 0 : i];
        }
    }
}

namespace Micro.Registry;

/// <summary>Folds per-node records into services, one per (name, version), as go-micro returns them.</summary>
public static class ServiceMerger
{
    /// <summary>Folds single-node (or multi-node) service records into one service per (name, version).</summary>
    public static IReadOnlyList<Service> Merge(IEnumerable<Service> services)
        => Merge(services.SelectMany(SplitNodes).Select(s => new NodeRecord(s, DateTimeOffset.MaxValue, "")));

    internal static IReadOnlyList<Service> Merge(IEnumerable<NodeRecord> records)
    {
        var groups = new Dictionary<(string Name, string Version), (Service Template, DateTimeOffset Newest, List<Node> Nodes)>();
        foreach (var record in records)
        {
            var key = (record.Service.Name, record.Service.Version);
            if (!groups.TryGetValue(key, out var group))
            {
                group = (record.Service, record.Expires, new List<Node>());
            }
            else if (record.Expires > group.Newest)
            {
                // The most recently refreshed registration describes the endpoints and metadata.
                group = (record.Service, record.Expires, group.Nodes);
            }

            group.Nodes.Add(record.Node);
            groups[key] = group;
        }

        var result = new List<Service>(groups.Count);
        foreach (var group in groups.Values)
        {
            group.Nodes.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
            result.Add(group.Template with { Nodes = group.Nodes.ToArray() });
        }

        result.Sort(static (a, b) => string.CompareOrdinal(a.Name + "\n" + a.Version, b.Name + "\n" + b.Version));
        return result;
    }

    /// <summary>Splits a service into one single-node service per node (how stores keep them).</summary>
    public static IEnumerable<Service> SplitNodes(Service service)
    {
        foreach (var node in service.Nodes)
        {
            yield return service with { Nodes = [node] };
        }
    }
}

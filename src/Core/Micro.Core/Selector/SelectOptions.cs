using Micro.Registry;

namespace Micro.Selector;

/// <summary>Narrows which nodes a call may go to. Immutable; reuse one instance across calls.</summary>
public sealed record SelectFilter
{
    /// <summary>Only nodes of this service version.</summary>
    public string? Version { get; init; }

    /// <summary>Only nodes whose metadata holds every one of these pairs.</summary>
    public IReadOnlyDictionary<string, string>? NodeMetadata { get; init; }

    /// <summary>Only nodes of versions that expose this endpoint.</summary>
    public string? Endpoint { get; init; }

    internal bool Matches(SelectableNode node)
    {
        if (Version is not null && node.Version != Version)
        {
            return false;
        }

        if (Endpoint is not null && !node.Endpoints.Contains(Endpoint))
        {
            return false;
        }

        if (NodeMetadata is not null)
        {
            foreach (var (k, v) in NodeMetadata)
            {
                if (node.Node.Metadata is null || !node.Node.Metadata.TryGetValue(k, out var actual) || actual != v)
                {
                    return false;
                }
            }
        }

        return true;
    }
}

/// <summary>A node with what filters need to know about the service version it belongs to.</summary>
public sealed class SelectableNode
{
    internal SelectableNode(Node node, string version, IReadOnlySet<string> endpoints, NodeStats stats, IReadOnlySet<string>? idempotentEndpoints = null)
    {
        Node = node;
        Version = version;
        Endpoints = endpoints;
        Stats = stats;
        IdempotentEndpoints = idempotentEndpoints ?? NoEndpoints;
    }

    private static readonly IReadOnlySet<string> NoEndpoints = new HashSet<string>();

    /// <summary>The endpoints of this node's version marked <c>idempotent: true</c> in the registry (they may be hedged).</summary>
    public IReadOnlySet<string> IdempotentEndpoints { get; }

    public Node Node { get; }

    public string Version { get; }

    public IReadOnlySet<string> Endpoints { get; }

    /// <summary>What the selector learned from the attempts to this node (load, latency, ejection); kept across registry refreshes.</summary>
    public NodeStats Stats { get; }

    public string Address => Node.Address;

    public string Id => Node.Id;
}

/// <summary>What one selection needs: an optional key for hashing, filters, and nodes to avoid (already tried).</summary>
public readonly record struct SelectRequest(string? Key = null, SelectFilter? Filter = null, IReadOnlyCollection<string>? Exclude = null);

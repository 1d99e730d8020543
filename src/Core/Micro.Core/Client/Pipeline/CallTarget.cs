using Micro.Selector;
using Micro.Transport;

namespace Micro.Client;

/// <summary>Where one attempt goes: the address, the node's id (null for a direct address) and the transport it listens on.</summary>
public readonly record struct CallTarget(string Address, string? NodeId, ITransport Transport)
{
    /// <summary>The node the selector chose (null for a direct address), to which the attempt's outcome is reported.</summary>
    public SelectableNode? Node { get; init; }
}

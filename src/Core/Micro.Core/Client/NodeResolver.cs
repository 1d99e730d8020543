using Micro.Selector;
using Micro.Transport;

namespace Micro.Client;

/// <summary>
/// Where a call or a stream goes: the given address, or a node chosen by the selector (avoiding the ones that failed),
/// and the transport that node advertises, so the client speaks to each node the way it listens.
/// </summary>
internal sealed class NodeResolver(ISelector selector, ITransport transport, Func<string, string?, ITransport?>? transportFor)
{
    public ValueTask<CallTarget> ResolveAsync(string service, CallOptions options, IReadOnlyCollection<string>? avoid, CancellationToken cancellationToken)
    {
        if (options.Address is { Length: > 0 } direct)
        {
            return DirectAsync(service, direct, cancellationToken);
        }

        var selecting = selector.SelectAsync(service, new SelectRequest(options.SelectKey, options.Filter, avoid), cancellationToken);
        return selecting.IsCompletedSuccessfully ? new(TargetOf(selecting.Result)) : SelectedAsync(selecting);
    }

    /// <summary>Ends the attempt the selector counted when it chose the target's node (nothing for a direct address).</summary>
    public void Report(string service, in CallTarget target, NodeOutcome outcome, TimeSpan elapsed)
    {
        if (target.Node is { } node)
        {
            selector.Report(service, node, outcome, elapsed);
        }
    }

    private async ValueTask<CallTarget> SelectedAsync(ValueTask<SelectableNode> selecting) => TargetOf(await selecting.ConfigureAwait(false));

    private CallTarget TargetOf(SelectableNode node) => new(node.Address, node.Id, TransportOf(node)) { Node = node };

    /// <summary>The transport (and server) a node advertises in its metadata, when this client has it; else the client's.</summary>
    private ITransport TransportOf(SelectableNode node)
    {
        if (transportFor is null || node.Node.Metadata?.GetValueOrDefault("transport") is not { } advertised)
        {
            return transport;
        }

        var server = node.Node.Metadata.GetValueOrDefault("transport_address");
        return string.Equals(advertised, transport.Name, StringComparison.OrdinalIgnoreCase) && server is null
            ? transport
            : transportFor(advertised, server) ?? transport;
    }

    /// <summary>
    /// A node registered at that address says how it listens (an http node gets HTTP, not a tcp frame); an address no
    /// node of the service has goes over the client's own transport.
    /// </summary>
    private async ValueTask<CallTarget> DirectAsync(string service, string address, CancellationToken cancellationToken)
    {
        if (transportFor is null || selector is not RegistrySelector registry)
        {
            return new(address, null, transport);
        }

        try
        {
            var nodes = await registry.GetNodesAsync(service, cancellationToken).ConfigureAwait(false);
            return new(address, null, Array.Find(nodes, n => string.Equals(n.Node.Address, address, StringComparison.OrdinalIgnoreCase)) is { } node ? TransportOf(node) : transport);
        }
        catch (Exception e) when (e is MicroException or InvalidOperationException or IOException or HttpRequestException)
        {
            return new(address, null, transport); // registry unreachable: the address alone still gets a try
        }
    }
}

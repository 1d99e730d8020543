namespace Micro.Registry;

/// <summary>
/// Whether an address belongs to the service: the one check every front end makes before calling a node a caller
/// names (the gateway's and the proxy's <c>/rpc</c>, <c>--address</c> from the terminal and the bot), so nothing but a
/// registered node is reachable through them.
/// </summary>
public static class RegisteredNodes
{
    /// <summary>True when a node of <paramref name="service"/> is registered at <paramref name="address"/> (host names compare ignoring case).</summary>
    public static async Task<bool> HasNodeAtAsync(this IRegistry registry, string service, string address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return (await registry.GetServiceAsync(service, cancellationToken).ConfigureAwait(false))
            .Any(v => v.Nodes.Any(n => string.Equals(n.Address, address, StringComparison.OrdinalIgnoreCase)));
    }
}

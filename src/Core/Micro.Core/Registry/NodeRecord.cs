using System.Text.Json;

namespace Micro.Registry;

/// <summary>
/// One registered node as a <see cref="NodeStoreRegistry"/> keeps it: the service holding only that node, when it
/// expires, and a fingerprint that changes whenever the record does (a watch reports an update then).
/// </summary>
/// <param name="Service">The service with exactly one node.</param>
/// <param name="Expires">When the registration lapses unless renewed; expired records are never returned.</param>
/// <param name="Fingerprint">
/// What tells one version of the record from another. In the records <see cref="NodeStoreRegistry.RegisterAsync"/>
/// hands a store, the service's registry JSON (go-micro's field names): what a store keeps and reads back with
/// <see cref="FromJson"/>.
/// </param>
public sealed record NodeRecord(Service Service, DateTimeOffset Expires, string Fingerprint)
{
    public Node Node => Service.Nodes[0];

    /// <summary>The record's identity in a store: service and node id.</summary>
    public string Key => NodeKey(Service.Name, Node.Id);

    public static string NodeKey(string service, string nodeId) => service + "\n" + nodeId;

    /// <summary>
    /// A record from a store's text, checked as anything anyone can write there must be: a service with a name and
    /// exactly one node with an id and an address.
    /// </summary>
    /// <exception cref="FormatException">The text is not such a service; the message says what is wrong.</exception>
    public static NodeRecord FromJson(string json, DateTimeOffset expires)
    {
        ArgumentNullException.ThrowIfNull(json);
        Service? service;
        try
        {
            service = JsonSerializer.Deserialize(json, RegistryJsonContext.Default.Service);
        }
        catch (JsonException e)
        {
            throw new FormatException("a registry record is not a service's JSON: " + e.Message, e);
        }

        if (service is null || string.IsNullOrWhiteSpace(service.Name))
        {
            throw new FormatException("a registry record has no service name");
        }

        if (service.Nodes is not [{ } node] || string.IsNullOrWhiteSpace(node.Id) || string.IsNullOrWhiteSpace(node.Address))
        {
            throw new FormatException($"a registry record of service '{service.Name}' does not hold exactly one node with an id and an address");
        }

        return new NodeRecord(service, expires, json);
    }
}

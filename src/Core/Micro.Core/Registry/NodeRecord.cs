namespace Micro.Registry;

/// <summary>One registered node as a store keeps it: the service holding only that node, and when it expires.</summary>
internal sealed record NodeRecord(Service Service, DateTimeOffset Expires, string Fingerprint)
{
    public Node Node => Service.Nodes[0];

    public string Key => NodeKey(Service.Name, Node.Id);

    public static string NodeKey(string service, string nodeId) => service + "\n" + nodeId;
}

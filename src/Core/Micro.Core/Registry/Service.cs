using System.Text.Json.Serialization;

namespace Micro.Registry;

/// <summary>A service as the registry knows it (go-micro's data model; JSON names are the wire names).</summary>
public sealed record Service
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("version")] public string Version { get; init; } = "latest";
    [JsonPropertyName("metadata")] public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    // go-micro writes nil slices as null: read null as empty.
    [JsonPropertyName("endpoints")] public IReadOnlyList<Endpoint> Endpoints { get; init => field = value ?? []; } = [];
    [JsonPropertyName("nodes")] public IReadOnlyList<Node> Nodes { get; init => field = value ?? []; } = [];
}

/// <summary>One running instance of a service.</summary>
public sealed record Node
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    /// <summary><c>host:port</c>.</summary>
    [JsonPropertyName("address")] public required string Address { get; init; }
    [JsonPropertyName("metadata")] public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>A callable endpoint (<c>Type.Method</c>) with descriptions of its request and response.</summary>
public sealed record Endpoint
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("request")] public Value? Request { get; init; }
    [JsonPropertyName("response")] public Value? Response { get; init; }
    [JsonPropertyName("metadata")] public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>A recursive description of a message field.</summary>
public sealed record Value
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("values")] public IReadOnlyList<Value>? Values { get; init; }
}

/// <summary>What happened to a service in a watch.</summary>
public enum RegistryAction
{
    Create,
    Update,
    Delete,
}

/// <summary>A watch result: the action and the service holding the node(s) it concerns.</summary>
public sealed record RegistryEvent(RegistryAction Action, Service Service, DateTimeOffset Timestamp)
{
    /// <summary>go-micro's wire name for the action.</summary>
    public string ActionName => Action switch
    {
        RegistryAction.Create => "create",
        RegistryAction.Update => "update",
        _ => "delete",
    };
}

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

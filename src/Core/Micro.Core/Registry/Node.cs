using System.Text.Json.Serialization;

namespace Micro.Registry;

/// <summary>One running instance of a service.</summary>
public sealed record Node
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    /// <summary><c>host:port</c>.</summary>
    [JsonPropertyName("address")] public required string Address { get; init; }
    [JsonPropertyName("metadata")] public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

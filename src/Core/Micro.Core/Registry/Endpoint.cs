using System.Text.Json.Serialization;

namespace Micro.Registry;

/// <summary>A callable endpoint (<c>Type.Method</c>) with descriptions of its request and response.</summary>
public sealed record Endpoint
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("request")] public Value? Request { get; init; }
    [JsonPropertyName("response")] public Value? Response { get; init; }
    [JsonPropertyName("metadata")] public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

using System.Text.Json.Serialization;

namespace Micro.Registry;

/// <summary>A recursive description of a message field.</summary>
public sealed record Value
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("values")] public IReadOnlyList<Value>? Values { get; init; }
}

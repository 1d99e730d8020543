using System.Text.Json.Serialization;

namespace Micro.Registry;

/// <summary>The content of one node's file in the local registry folder.</summary>
public sealed record LocalRegistryFile(
    [property: JsonPropertyName("expires")] long ExpiresUnixMilliseconds,
    [property: JsonPropertyName("service")] Service Service);

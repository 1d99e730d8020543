using System.Text.Json.Serialization;

namespace Micro.Proxy;

/// <summary>
/// <c>POST /rpc</c>: go-micro's <c>{service, endpoint (or method), request, address}</c>, plus metadata and a timeout in
/// milliseconds. The request is JSON (any JSON value).
/// </summary>
public sealed record RpcCall
{
    [JsonPropertyName("service")] public string? Service { get; init; }
    [JsonPropertyName("endpoint")] public string? Endpoint { get; init; }
    [JsonPropertyName("method")] public string? Method { get; init; }
    [JsonPropertyName("request")] public System.Text.Json.JsonElement? Request { get; init; }
    [JsonPropertyName("address")] public string? Address { get; init; }
    [JsonPropertyName("metadata")] public Dictionary<string, string>? Metadata { get; init; }
    [JsonPropertyName("timeout_ms")] public long? TimeoutMs { get; init; }
}

using System.Text.Json.Serialization;

namespace Micro.Proxy;

/// <summary>A broker message through the proxy: headers and the body as text (Micro's events are JSON).</summary>
public sealed record ProxyMessage
{
    [JsonPropertyName("header")] public Dictionary<string, string> Header { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    [JsonPropertyName("body")] public string Body { get; init; } = "";
}

using System.Text.Json.Serialization;

namespace Micro.Broker;

/// <summary>go-micro's broker envelope: <c>{"Header":{..., ":topic":"t"},"Body":"base64"}</c>.</summary>
public sealed record BrokerEnvelope(
    [property: JsonPropertyName("Header")] IReadOnlyDictionary<string, string>? Header,
    [property: JsonPropertyName("Body")] byte[]? Body)
{
    public const string TopicHeader = ":topic";
}

[JsonSerializable(typeof(BrokerEnvelope))]
internal sealed partial class BrokerJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace Micro.Broker;

/// <summary>A message on the broker: headers and an encoded body (go-micro's <c>{"Header":{...},"Body":"base64"}</c> envelope).</summary>
public sealed class BrokerMessage
{
    public BrokerMessage(Dictionary<string, string>? header = null, ReadOnlyMemory<byte> body = default)
    {
        Header = header ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        Body = body;
    }

    [JsonPropertyName("Header")]
    public Dictionary<string, string> Header { get; }

    [JsonPropertyName("Body")]
    public ReadOnlyMemory<byte> Body { get; set; }
}

using System.Text.Json.Serialization;

namespace Micro.Broker;

/// <summary>A message on the broker: headers and an encoded body (go-micro's <c>{"Header":{...},"Body":"base64"}</c> envelope).</summary>
public sealed class BrokerMessage
{
    public BrokerMessage(Dictionary<string, string>? headers = null, ReadOnlyMemory<byte> body = default)
    {
        Headers = headers ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        Body = body;
    }

    /// <summary>The message's headers (go-micro's <c>Header</c> on the wire).</summary>
    [JsonPropertyName("Header")]
    public Dictionary<string, string> Headers { get; }

    [JsonPropertyName("Body")]
    public ReadOnlyMemory<byte> Body { get; set; }
}

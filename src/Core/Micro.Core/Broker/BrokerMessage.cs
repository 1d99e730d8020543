using System.Text.Json.Serialization;

namespace Micro.Broker;

/// <summary>A message on the broker: headers and an encoded body (go-micro's <c>{"Header":{...},"Body":"base64"}</c> envelope).</summary>
public sealed class BrokerMessage
{
    /// <param name="headers">The headers (names compare case-insensitively; copied unless already so).</param>
    /// <param name="body">The encoded body.</param>
    public BrokerMessage(IReadOnlyDictionary<string, string>? headers = null, ReadOnlyMemory<byte> body = default)
    {
        Headers = headers switch
        {
            null => new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase),
            Dictionary<string, string> { Comparer: var comparer } own when ReferenceEquals(comparer, StringComparer.OrdinalIgnoreCase) => own,
            _ => new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase),
        };
        Body = body;
    }

    /// <summary>The message's headers (go-micro's <c>Header</c> on the wire). Read-only: a message is published as it was made.</summary>
    [JsonPropertyName("Header")]
    public IReadOnlyDictionary<string, string> Headers { get; }

    [JsonPropertyName("Body")]
    public ReadOnlyMemory<byte> Body { get; set; }
}

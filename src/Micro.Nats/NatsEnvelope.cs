using System.Text.Json;
using Micro.Broker;

namespace Micro.Nats;

/// <summary>go-micro's NATS payload: the broker envelope as JSON (<c>{"Header":{...},"Body":"base64"}</c>).</summary>
internal static class NatsEnvelope
{
    public static byte[] Encode(BrokerMessage message)
        => JsonSerializer.SerializeToUtf8Bytes(new BrokerEnvelope(message.Header, message.Body.ToArray()), NatsJsonContext.Default.BrokerEnvelope);

    public static BrokerMessage Decode(ReadOnlySpan<byte> data)
    {
        var envelope = JsonSerializer.Deserialize(data, NatsJsonContext.Default.BrokerEnvelope)
            ?? throw new JsonException("the message is JSON null, not a broker envelope");
        return new BrokerMessage(new Dictionary<string, string>(envelope.Header ?? [], StringComparer.OrdinalIgnoreCase), envelope.Body ?? []);
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(BrokerEnvelope))]
internal sealed partial class NatsJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

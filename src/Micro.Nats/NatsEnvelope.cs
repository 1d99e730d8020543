using System.Buffers;
using System.Text.Json;
using Micro.Broker;

namespace Micro.Nats;

/// <summary>
/// go-micro's NATS payload: the broker envelope as JSON (<c>{"Header":{...},"Body":"base64"}</c>), written and read
/// directly with Utf8JsonWriter/Utf8JsonReader because it sits on every publish and delivery.
/// </summary>
internal sealed class NatsEnvelope : NATS.Client.Core.INatsSerialize<BrokerMessage>, NATS.Client.Core.INatsDeserialize<BrokerMessage>
{
    public static readonly NatsEnvelope Serializer = new();

    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    /// <summary>Writes the envelope straight into NATS.Net's send buffer (no intermediate array).</summary>
    public void Serialize(IBufferWriter<byte> bufferWriter, BrokerMessage value) => Write(bufferWriter, value);

    /// <summary>Reads the envelope straight from the received bytes.</summary>
    public BrokerMessage? Deserialize(in ReadOnlySequence<byte> buffer)
        => buffer.IsSingleSegment ? Decode(buffer.FirstSpan) : Decode(buffer.ToArray());

    public static byte[] Encode(BrokerMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, message);
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(IBufferWriter<byte> buffer, BrokerMessage message)
    {
        var writer = _writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        writer.Reset(buffer);
        try
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Header");
            foreach (var (k, v) in message.Header)
            {
                writer.WriteString(k, v);
            }

            writer.WriteEndObject();
            writer.WriteBase64String("Body", message.Body.Span);
            writer.WriteEndObject();
            writer.Flush();
        }
        finally
        {
            writer.Reset(Stream.Null); // do not keep the caller's buffer alive
        }
    }

    public static BrokerMessage Decode(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a broker envelope is a JSON object");
        }

        var header = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        byte[] body = [];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Header"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new JsonException("Header must be an object of strings");
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString()!;
                    reader.Read();
                    header[name] = reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException($"header '{name}' is not a string");
                }
            }
            else if (reader.ValueTextEquals("Body"u8))
            {
                reader.Read();
                body = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetBytesFromBase64(),
                    JsonTokenType.Null => [],
                    _ => throw new JsonException("Body must be a base64 string"),
                };
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new BrokerMessage(header, body);
    }
}

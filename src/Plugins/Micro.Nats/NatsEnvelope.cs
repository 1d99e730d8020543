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

    private static readonly JsonEncodedText HeaderName = JsonEncodedText.Encode("Header");
    private static readonly JsonEncodedText BodyName = JsonEncodedText.Encode("Body");

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
            writer.WriteStartObject(HeaderName);
            foreach (var (k, v) in message.Headers)
            {
                writer.WriteString(k, v);
            }

            writer.WriteEndObject();
            writer.WriteBase64String(BodyName, message.Body.Span);
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

        var header = new Dictionary<string, string>(4, StringComparer.OrdinalIgnoreCase);
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
                    var name = Known(ref reader) ?? reader.GetString()!;
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw new JsonException($"header '{name}' is not a string");
                    }

                    header[name] = reader.ValueTextEquals("application/json"u8) ? "application/json" : reader.GetString()!;
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

    /// <summary>The header names every Micro message carries, without allocating a string for each.</summary>
    private static string? Known(ref Utf8JsonReader reader)
        => reader.ValueTextEquals("Content-Type"u8) ? "Content-Type"
            : reader.ValueTextEquals("Micro-Topic"u8) ? "Micro-Topic"
            : reader.ValueTextEquals("Micro-Id"u8) ? "Micro-Id"
            : reader.ValueTextEquals("Micro-From-Service"u8) ? "Micro-From-Service"
            : null;
}

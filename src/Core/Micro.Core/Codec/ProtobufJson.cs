using System.Buffers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;

namespace Micro.Codec;

/// <summary>
/// JSON for protobuf messages by the proto3 JSON mapping (Google.Protobuf's formatter and parser), as go-micro's json
/// codec writes them with jsonpb: lowerCamelCase names, 64-bit integers as strings, enums by name, well-known types
/// in their own forms (a Timestamp is an RFC 3339 string). System.Text.Json would read a message's repeated and map
/// fields as nothing and write its oneof cases and ByteStrings as objects.
/// </summary>
internal static class ProtobufJson
{
    // Fields at their defaults are written too, so a reply shows every field (proto3 JSON parsers accept both).
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    // Strict, as go-micro's jsonpb decoding is: an unknown field or enum name is an error, never a value quietly lost.
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    /// <summary>True for Google.Protobuf message types; decided once per type (JsonCodec asks on every decode).</summary>
    public static bool IsMessage<T>() => Message<T>.Is;

    public static byte[] Encode(IMessage message)
    {
        try
        {
            // The formatter writes "{ \"msg\": \"...\" }"; on the wire it is compact, as jsonpb and System.Text.Json write it.
            using var document = JsonDocument.Parse(Formatter.Format(message));
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                document.WriteTo(writer);
            }

            return buffer.WrittenSpan.ToArray();
        }
        catch (InvalidOperationException e)
        {
            // For example a google.protobuf.Any whose type the formatter does not know.
            throw MicroException.InternalServerError("go.micro.codec", $"{message.Descriptor.Name} cannot be written as JSON: {e.Message}");
        }
    }

    public static T Decode<T>(ReadOnlyMemory<byte> data)
    {
        try
        {
            return (T)Parser.Parse(Encoding.UTF8.GetString(data.Span), Message<T>.Descriptor);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
        {
            throw MicroException.BadRequest("go.micro.codec", $"invalid JSON for {typeof(T).Name}: {e.Message}");
        }
    }

    private static class Message<T>
    {
        public static readonly bool Is = typeof(IMessage).IsAssignableFrom(typeof(T));

        private static Google.Protobuf.Reflection.MessageDescriptor? _descriptor;

        /// <summary>The message's descriptor, from an empty instance its parser makes (once: no reflection, trim safe).</summary>
        public static Google.Protobuf.Reflection.MessageDescriptor Descriptor
            => _descriptor ??= ProtobufCodec.ParserFor<T>().ParseFrom(ReadOnlySpan<byte>.Empty).Descriptor;
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Micro.Codec;

/// <summary>
/// JSON with System.Text.Json: camelCase names written, names read case-insensitively. Protobuf messages (types from
/// a .proto file) are written and read by the proto3 JSON mapping instead, as go-micro's jsonpb does. Types are
/// described by the source-generated contexts it is given (<c>micro.AddJsonTypes(MyJson.Default)</c>, or a contract's
/// <c>[MicroContract(JsonContext = ...)]</c>), then by reflection where the app allows it: under trimming or Native AOT,
/// only by the contexts.
/// </summary>
public sealed class JsonCodec : ICodec
{
    public const string MediaType = "application/json";

    /// <param name="options">The serializer's options (made read-only); without a resolver they get this codec's. Null: <see cref="DefaultOptions"/>.</param>
    public JsonCodec(JsonSerializerOptions? options = null)
    {
        if (options is { TypeInfoResolver: null, IsReadOnly: false })
        {
            options.TypeInfoResolver = new MicroJsonResolver([]);
        }

        Options = options ?? DefaultOptions;
        Options.MakeReadOnly();
    }

    /// <summary>Micro's JSON (<see cref="DefaultOptions"/>' settings) over these source-generated contexts first.</summary>
    public JsonCodec(IEnumerable<IJsonTypeInfoResolver> contexts)
        : this(CreateOptions(new MicroJsonResolver([.. contexts ?? throw new ArgumentNullException(nameof(contexts))])))
    {
    }

    /// <summary>The options used unless others are given: no contexts of an app's, reflection where allowed.</summary>
    public static JsonSerializerOptions DefaultOptions { get; } = CreateOptions(new MicroJsonResolver([]));

    public JsonSerializerOptions Options { get; }

    public string ContentType => MediaType;

    public ReadOnlyMemory<byte> Encode<T>(T value)
        => value is Google.Protobuf.IMessage message ? ProtobufJson.Encode(message) : JsonSerializer.SerializeToUtf8Bytes(value, TypeInfo<T>());

    public T Decode<T>(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty)
        {
            // An empty body is an empty request (as `micro call svc Endpoint` without a body sends).
            data = "{}"u8.ToArray();
        }

        if (ProtobufJson.IsMessage<T>())
        {
            return ProtobufJson.Decode<T>(data);
        }

        try
        {
            var value = JsonSerializer.Deserialize(data.Span, TypeInfo<T>());
            return value ?? throw MicroException.BadRequest("go.micro.codec", $"request body is JSON null; expected {typeof(T).Name}");
        }
        catch (JsonException e)
        {
            throw MicroException.BadRequest("go.micro.codec", $"invalid JSON for {typeof(T).Name}: {e.Message}");
        }
        catch (NotSupportedException e)
        {
            throw MicroException.BadRequest("go.micro.codec", $"cannot read JSON as {typeof(T).Name}: {e.Message}");
        }
    }

    // Metadata by JsonTypeInfo (never the reflection-only overloads), so trimmed and AOT apps work from registered contexts.
    private JsonTypeInfo<T> TypeInfo<T>()
    {
        if (ReferenceEquals(Options, DefaultOptions) && DefaultTypeInfo<T>.Value is { } cached)
        {
            return cached;
        }

        JsonTypeInfo<T> info;
        try
        {
            info = (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
        }
        catch (NotSupportedException e)
        {
            throw MicroException.InternalServerError("go.micro.codec",
                $"no JSON metadata for {typeof(T).FullName}: reflection is off (trimmed or Native AOT build), so add [JsonSerializable(typeof({typeof(T).Name}))] " +
                $"to a JsonSerializerContext and name it in [MicroContract(JsonContext = ...)] or add it with micro.AddJsonTypes(context.Default) ({e.Message})");
        }

        if (ReferenceEquals(Options, DefaultOptions))
        {
            DefaultTypeInfo<T>.Value = info;
        }

        return info;
    }

    private static class DefaultTypeInfo<T>
    {
        public static JsonTypeInfo<T>? Value;
    }

    private static JsonSerializerOptions CreateOptions(IJsonTypeInfoResolver resolver)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            PropertyNameCaseInsensitive = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            TypeInfoResolver = resolver,
        };
        options.MakeReadOnly();
        return options;
    }
}

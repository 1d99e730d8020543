using System.Text.Json;
using System.Text.Json.Serialization;

namespace Micro.Codec;

/// <summary>JSON with System.Text.Json: camelCase names written, names read case-insensitively.</summary>
public sealed class JsonCodec : ICodec
{
    public const string MediaType = "application/json";

    public JsonCodec(JsonSerializerOptions? options = null)
    {
        Options = options ?? DefaultOptions;
    }

    /// <summary>The options used unless others are given; add a source-generated context to its resolver chain for speed.</summary>
    public static JsonSerializerOptions DefaultOptions { get; } = CreateDefaultOptions();

    public JsonSerializerOptions Options { get; }

    public string ContentType => MediaType;

    public ReadOnlyMemory<byte> Encode<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public T Decode<T>(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty)
        {
            // An empty body is an empty request (as `micro call svc Endpoint` without a body sends).
            data = "{}"u8.ToArray();
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(data.Span, Options);
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

    private static JsonSerializerOptions CreateDefaultOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            PropertyNameCaseInsensitive = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

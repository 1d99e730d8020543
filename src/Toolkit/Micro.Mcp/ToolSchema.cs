using System.Text.Json;
using Micro.Registry;

namespace Micro.Mcp;

/// <summary>
/// A tool's input JSON Schema from the registry's description of the request (<see cref="Value"/>, go-micro's shape):
/// scalars by their names (<c>string</c>, <c>bool</c>, <c>int32</c>...), <c>[]T</c> as arrays, <c>map[K]V</c> as
/// objects of V, nested messages as objects of their fields. The registry says nothing of which fields are required
/// (go-micro and proto3 have none), so none are; an unknown type is left open rather than guessed.
/// </summary>
internal static class ToolSchema
{
    private const int MaxDepth = 8;
    private const int MaxFields = 256; // per object: anyone who can register writes these, and an agent reads them all

    public static JsonElement For(Value? request)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("type", "object");
            json.WriteStartObject("properties");
            foreach (var field in (request?.Values ?? []).Take(MaxFields))
            {
                if (field.Name is { Length: > 0 } name)
                {
                    json.WritePropertyName(name);
                    Write(json, field.Type ?? "", field.Values, 0);
                }
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter json, string type, IReadOnlyList<Value>? fields, int depth)
    {
        json.WriteStartObject();
        if (depth >= MaxDepth)
        {
            json.WriteEndObject(); // deeper than any real message: open
            return;
        }

        if (type.StartsWith("[]", StringComparison.Ordinal))
        {
            var element = type[2..];
            if (element == "byte")
            {
                json.WriteString("type", "string"); // []byte is base64 in JSON
            }
            else
            {
                json.WriteString("type", "array");
                json.WritePropertyName("items");
                Write(json, element, fields, depth + 1);
            }
        }
        else if (type.StartsWith("map[", StringComparison.Ordinal) && type.IndexOf(']', StringComparison.Ordinal) is > 4 and var close)
        {
            json.WriteString("type", "object");
            json.WritePropertyName("additionalProperties");
            Write(json, type[(close + 1)..], null, depth + 1);
        }
        else if (Scalar(type) is { } scalar)
        {
            json.WriteString("type", scalar);
            if (type is "bytes")
            {
                json.WriteString("contentEncoding", "base64");
            }
        }
        else if (fields is { Count: > 0 })
        {
            json.WriteString("type", "object");
            json.WriteStartObject("properties");
            foreach (var field in fields.Take(MaxFields))
            {
                if (field.Name is { Length: > 0 } name)
                {
                    json.WritePropertyName(name);
                    Write(json, field.Type ?? "", field.Values, depth + 1);
                }
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static string? Scalar(string type) => type switch
    {
        "string" or "bytes" or "enum" => "string",
        "bool" => "boolean",
        "int" or "int8" or "int16" or "int32" or "int64" or "uint" or "uint8" or "uint16" or "uint32" or "uint64" => "integer",
        "float" or "float32" or "float64" or "double" => "number",
        _ => null,
    };
}

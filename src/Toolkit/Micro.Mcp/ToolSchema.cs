using System.Text.Json;
using Micro.Registry;

namespace Micro.Mcp;

/// <summary>
/// A tool's input JSON Schema from the registry's description of the request (<see cref="Value"/>, go-micro's shape):
/// scalars by their names (<c>string</c>, <c>bool</c>, <c>int32</c>...), <c>[]T</c> as arrays, <c>map[K]V</c> as
/// objects of V, nested messages as objects of their fields. Go-micro's field descriptions say nothing of which fields
/// are required; Micro's services say it in the endpoint's <see cref="Micro.Server.RequiredFields"/> metadata, which
/// becomes each object's <c>required</c> list (a path naming no described field is dropped). An unknown type is left
/// open rather than guessed.
/// </summary>
internal static class ToolSchema
{
    private const int MaxDepth = 8;
    private const int MaxFields = 256; // per object: anyone who can register writes these, and an agent reads them all

    public static JsonElement For(Value? request, IReadOnlyList<string>? required = null)
    {
        var requiredPaths = required is { Count: > 0 } ? new HashSet<string>(required, StringComparer.Ordinal) : null;
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("type", "object");
            json.WriteStartObject("properties");
            var fields = (request?.Values ?? []).Take(MaxFields).ToArray();
            foreach (var field in fields)
            {
                if (field.Name is { Length: > 0 } name)
                {
                    json.WritePropertyName(name);
                    Write(json, field.Type ?? "", field.Values, 0, requiredPaths, name + ".");
                }
            }

            json.WriteEndObject();
            WriteRequired(json, fields, requiredPaths, "");
            json.WriteEndObject();
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    private static void WriteRequired(Utf8JsonWriter json, IEnumerable<Value> fields, HashSet<string>? required, string prefix)
    {
        var names = required is null ? [] : fields.Select(f => f.Name).Where(n => n is { Length: > 0 } && required.Contains(prefix + n)).Distinct(StringComparer.Ordinal).ToArray();
        if (names.Length > 0)
        {
            json.WriteStartArray("required");
            foreach (var name in names)
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
        }
    }

    private static void Write(Utf8JsonWriter json, string type, IReadOnlyList<Value>? fields, int depth, HashSet<string>? required, string? prefix)
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
                Write(json, element, fields, depth + 1, null, null); // required paths stop at lists
            }
        }
        else if (type.StartsWith("map[", StringComparison.Ordinal) && type.IndexOf(']', StringComparison.Ordinal) is > 4 and var close)
        {
            json.WriteString("type", "object");
            json.WritePropertyName("additionalProperties");
            Write(json, type[(close + 1)..], null, depth + 1, null, null);
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
            var described = fields.Take(MaxFields).ToArray();
            foreach (var field in described)
            {
                if (field.Name is { Length: > 0 } name)
                {
                    json.WritePropertyName(name);
                    Write(json, field.Type ?? "", field.Values, depth + 1, required, prefix is null ? null : prefix + name + ".");
                }
            }

            json.WriteEndObject();
            if (prefix is not null)
            {
                WriteRequired(json, described, required, prefix);
            }
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

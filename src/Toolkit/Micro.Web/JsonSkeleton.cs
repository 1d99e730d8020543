using System.Text;
using System.Text.Json;
using Micro.Registry;

namespace Micro.Web;

/// <summary>A JSON request to start from, made from an endpoint's registry description (empty values of each field's type).</summary>
public static class JsonSkeleton
{
    public static string For(Value? value)
    {
        using var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            if (value?.Values is { Count: > 0 } fields)
            {
                WriteObject(json, fields, 0);
            }
            else
            {
                json.WriteStartObject();
                json.WriteEndObject();
            }
        }

        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static void WriteObject(Utf8JsonWriter json, IReadOnlyList<Value> fields, int depth)
    {
        json.WriteStartObject();
        foreach (var field in fields)
        {
            json.WritePropertyName(field.Name);
            WriteValue(json, field, depth + 1);
        }

        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, Value field, int depth)
    {
        var type = field.Type;
        if (type.StartsWith("[]", StringComparison.Ordinal))
        {
            json.WriteStartArray();
            json.WriteEndArray();
        }
        else if (type.StartsWith("map[", StringComparison.Ordinal))
        {
            json.WriteStartObject();
            json.WriteEndObject();
        }
        else if (field.Values is { Count: > 0 } nested && depth < 5)
        {
            WriteObject(json, nested, depth);
        }
        else
        {
            switch (type)
            {
                case "string" or "bytes":
                    json.WriteStringValue("");
                    break;
                case "bool":
                    json.WriteBooleanValue(false);
                    break;
                case "int32" or "int64" or "uint32" or "uint64" or "double" or "float" or "enum":
                    json.WriteNumberValue(0);
                    break;
                default:
                    json.WriteNullValue();
                    break;
            }
        }
    }
}

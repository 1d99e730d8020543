using System.Text.Json;

namespace Micro.Mcp;

/// <summary>
/// Checks a tool call's arguments against the tool's input schema (<see cref="ToolSchema"/>) before any service is
/// called, so an agent learns which field it got wrong: a value of the wrong JSON type, or a field the request does not
/// have (an agent's guess at a name would otherwise be dropped silently by the service's decoder), or a required field
/// left out. An object the registry describes no fields of is left open.
/// </summary>
internal static class ToolArguments
{
    /// <returns>Null when the arguments fit; else what is wrong, naming the field (<c>ship.city</c>, <c>tags[2]</c>).</returns>
    public static string? Check(JsonElement schema, IDictionary<string, JsonElement>? arguments)
    {
        if (Missing(schema, name => arguments?.ContainsKey(name) == true, "") is { } missing)
        {
            return missing;
        }

        if (arguments is null)
        {
            return null;
        }

        var properties = schema.TryGetProperty("properties", out var p) ? p : default;
        foreach (var (name, value) in arguments)
        {
            if (CheckField(properties, name, value, name) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static string? CheckField(JsonElement properties, string name, JsonElement value, string path)
    {
        if (properties.ValueKind != JsonValueKind.Object)
        {
            return null; // no fields described: open
        }

        if (!properties.TryGetProperty(name, out var field))
        {
            var known = string.Join(", ", properties.EnumerateObject().Select(f => f.Name));
            return $"argument '{path}' is not a field of this request (fields: {(known.Length == 0 ? "none" : known)})";
        }

        return CheckValue(field, value, path);
    }

    private static string? CheckValue(JsonElement schema, JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Null || !schema.TryGetProperty("type", out var typeElement))
        {
            return null; // null is a field left unset; an untyped schema is open
        }

        var type = typeElement.GetString();
        var fits = type switch
        {
            "string" => value.ValueKind == JsonValueKind.String,
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "integer" => value.ValueKind == JsonValueKind.Number && IsInteger(value),
            "number" => value.ValueKind == JsonValueKind.Number,
            "array" => value.ValueKind == JsonValueKind.Array,
            "object" => value.ValueKind == JsonValueKind.Object,
            _ => true,
        };
        if (!fits)
        {
            return $"argument '{path}' must be {Article(type)}, got {Shown(value.ValueKind)}";
        }

        if (type == "array" && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (CheckValue(items, item, $"{path}[{i++}]") is { } error)
                {
                    return error;
                }
            }
        }
        else if (type == "object")
        {
            if (Missing(schema, name => value.TryGetProperty(name, out _), path + ".") is { } missing)
            {
                return missing;
            }

            var properties = schema.TryGetProperty("properties", out var p) ? p : default;
            var values = schema.TryGetProperty("additionalProperties", out var a) ? a : default;
            foreach (var member in value.EnumerateObject())
            {
                var error = values.ValueKind == JsonValueKind.Object
                    ? CheckValue(values, member.Value, path + "." + member.Name)
                    : CheckField(properties, member.Name, member.Value, path + "." + member.Name);
                if (error is not null)
                {
                    return error;
                }
            }
        }

        return null;
    }

    /// <summary>The first of the schema's <c>required</c> fields the object lacks, as an error; null on a present null too (as System.Text.Json reads it).</summary>
    private static string? Missing(JsonElement schema, Func<string, bool> has, string prefix)
    {
        if (!schema.TryGetProperty("required", out var required) || required.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var name in required.EnumerateArray())
        {
            if (name.GetString() is { } field && !has(field))
            {
                return $"argument '{prefix}{field}' is required";
            }
        }

        return null;
    }

    private static bool IsInteger(JsonElement value) => value.TryGetInt64(out _) || value.TryGetUInt64(out _) || (value.TryGetDouble(out var d) && Math.Abs(d % 1) < double.Epsilon && Math.Abs(d) < 1e19);

    private static string Article(string? type) => type switch
    {
        "integer" or "array" or "object" => "an " + type,
        _ => "a " + type,
    };

    private static string Shown(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => kind.ToString().ToLowerInvariant(),
    };
}

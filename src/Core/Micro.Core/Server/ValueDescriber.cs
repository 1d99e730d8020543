using System.Diagnostics.CodeAnalysis;
using System.Collections;
using System.Reflection;
using System.Text.Json;
using Micro.Registry;

namespace Micro.Server;

/// <summary>Describes a message type as the registry's recursive <see cref="Value"/> (field names as JSON writes them).</summary>
[RequiresUnreferencedCode(ReflectionHandlers.Message)]
[RequiresDynamicCode(ReflectionHandlers.Message)]
internal static class ValueDescriber
{
    private const int MaxDepth = 5;

    public static Value Describe(Type type, string name) => Describe(type, name, 0, [], null, null);

    /// <summary>
    /// Describes <paramref name="type"/> and adds to <paramref name="required"/> the dotted JSON paths of the fields a
    /// request must carry (<see cref="RequiredFields"/>): through nested messages, not into lists or maps.
    /// </summary>
    public static Value Describe(Type type, string name, ICollection<string> required) => Describe(type, name, 0, [], required, "");

    private static Value Describe(Type type, string name, int depth, HashSet<Type> path, ICollection<string>? required, string? prefix)
    {
        var scalar = ScalarName(type);
        if (scalar is not null)
        {
            return new Value { Name = name, Type = scalar };
        }

        if (ElementType(type) is { } element)
        {
            var inner = Describe(element, name, depth, path, null, null);
            return inner with { Type = "[]" + inner.Type };
        }

        if (depth >= MaxDepth || !path.Add(type))
        {
            return new Value { Name = name, Type = type.Name }; // recursive or very deep: name the type only
        }

        var fields = new List<Value>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is null)
            {
                continue;
            }

            if (typeof(Google.Protobuf.IMessage).IsAssignableFrom(type) && property.Name is "Parser" or "Descriptor")
            {
                continue;
            }

            var fieldName = property.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()?.Name
                            ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var nested = prefix is not null && RequiredFields.IsPathSafe(fieldName) ? prefix + fieldName : null;
            if (nested is not null && required is not null && RequiredFields.IsRequired(property))
            {
                required.Add(nested);
            }

            fields.Add(Describe(property.PropertyType, fieldName, depth + 1, path, required, nested is null ? null : nested + "."));
        }

        path.Remove(type);
        return new Value { Name = name, Type = type.Name, Values = fields };
    }

    private static Type? ElementType(Type type)
    {
        if (type == typeof(string) || type == typeof(byte[]))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType && !IsDictionary(type))
        {
            return type.GetGenericArguments()[0];
        }

        return null;
    }

    private static bool IsDictionary(Type type)
        => type.GetInterfaces().Append(type).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() is var d && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>)));

    private static string? ScalarName(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            return "enum";
        }

        if (IsDictionary(type))
        {
            var args = type.IsGenericType ? type.GetGenericArguments() : [typeof(object), typeof(object)];
            return $"map[{ScalarName(args[0]) ?? args[0].Name}]{ScalarName(args[1]) ?? args[1].Name}";
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.String => "string",
            TypeCode.Boolean => "bool",
            TypeCode.Int32 => "int32",
            TypeCode.Int64 => "int64",
            TypeCode.UInt32 => "uint32",
            TypeCode.UInt64 => "uint64",
            TypeCode.Int16 => "int32",
            TypeCode.UInt16 => "uint32",
            TypeCode.Byte => "uint32",
            TypeCode.SByte => "int32",
            TypeCode.Double => "double",
            TypeCode.Single => "float",
            TypeCode.Decimal => "double",
            TypeCode.DateTime => "string",
            _ when type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>) || type == typeof(Google.Protobuf.ByteString) => "bytes",
            _ when type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(TimeSpan) => "string",
            _ when type == typeof(object) || type == typeof(JsonElement) => "any",
            _ => null,
        };
    }
}

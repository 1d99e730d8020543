using Google.Protobuf.Reflection;
using Micro.Registry;

namespace Micro.Server;

/// <summary>
/// Describes a protobuf message for the registry from its generated descriptor (no System.Reflection, so trim/AOT safe),
/// with the same names and types the reflection describer gives the generated C# class.
/// </summary>
public static class ProtoDescriber
{
    private const int MaxDepth = 5;

    public static Value Describe(MessageDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return Describe(descriptor, ClrName(descriptor), 0, []);
    }

    private static Value Describe(MessageDescriptor message, string name, int depth, HashSet<MessageDescriptor> path)
    {
        if (depth >= MaxDepth || !path.Add(message))
        {
            return new Value { Name = name, Type = ClrName(message) };
        }

        var fields = new List<Value>();
        foreach (var field in message.Fields.InDeclarationOrder())
        {
            fields.Add(Field(field, field.JsonName, depth, path));
        }

        path.Remove(message);
        return new Value { Name = name, Type = ClrName(message), Values = fields };
    }

    private static Value Field(FieldDescriptor field, string name, int depth, HashSet<MessageDescriptor> path)
    {
        if (field.IsMap)
        {
            var entry = field.MessageType;
            return new Value { Name = name, Type = $"map[{TypeOf(entry.FindFieldByNumber(1))}]{TypeOf(entry.FindFieldByNumber(2))}" };
        }

        var single = field.FieldType == FieldType.Message
            ? Describe(field.MessageType, name, depth + 1, path)
            : new Value { Name = name, Type = Scalar(field.FieldType) };
        return field.IsRepeated ? single with { Type = "[]" + single.Type } : single;
    }

    private static string TypeOf(FieldDescriptor field) => field.FieldType == FieldType.Message ? ClrName(field.MessageType) : Scalar(field.FieldType);

    // The C# types Google.Protobuf generates, named as the reflection describer names them.
    private static string Scalar(FieldType type) => type switch
    {
        FieldType.String => "string",
        FieldType.Bool => "bool",
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => "int32",
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => "int64",
        FieldType.UInt32 or FieldType.Fixed32 => "uint32",
        FieldType.UInt64 or FieldType.Fixed64 => "uint64",
        FieldType.Double => "double",
        FieldType.Float => "float",
        FieldType.Bytes => "bytes",
        FieldType.Enum => "enum",
        _ => type.ToString().ToLowerInvariant(),
    };

    private static string ClrName(MessageDescriptor descriptor) => descriptor.ClrType?.Name ?? descriptor.Name;
}

using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Micro.Generators;

/// <summary>
/// Writes a message type's registry description (<c>Micro.Registry.Value</c>) as C# at compile time, by the same rules as
/// the core's reflection-based ValueDescriber, so generated bindings describe endpoints without reflection (trim/AOT safe).
/// </summary>
internal static class ValueWriter
{
    private const int MaxDepth = 5;

    public static string Describe(ITypeSymbol type) => Describe(type, null);

    /// <summary>
    /// Also adds to <paramref name="required"/> the dotted JSON paths of the fields a request must carry, by the rules
    /// of the core's <c>RequiredFields</c>: C# <c>required</c> members, <c>[JsonRequired]</c>, <c>[Required]</c>.
    /// </summary>
    public static string Describe(ITypeSymbol type, List<string>? required)
    {
        var sb = new StringBuilder();
        Write(sb, Describe(type, TypeName(type), 0, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default), required, required is null ? null : ""));
        return sb.ToString();
    }

    private sealed record Node(string Name, string Type, List<Node>? Values);

    private static Node Describe(ITypeSymbol type, string name, int depth, HashSet<ITypeSymbol> path, List<string>? required, string? prefix)
    {
        var scalar = ScalarName(type);
        if (scalar is not null)
        {
            return new Node(name, scalar, null);
        }

        if (ElementType(type) is { } element)
        {
            var inner = Describe(element, name, depth, path, null, null);
            return inner with { Type = "[]" + inner.Type };
        }

        if (depth >= MaxDepth || !path.Add(type))
        {
            return new Node(name, TypeName(type), null);
        }

        var fields = new List<Node>();
        foreach (var property in PublicInstanceProperties(type))
        {
            var jsonName = property.GetAttributes()
                .FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "System.Text.Json.Serialization.JsonPropertyNameAttribute")?
                .ConstructorArguments.FirstOrDefault().Value as string;
            var fieldName = jsonName ?? CamelCase(property.Name);
            var nested = prefix is not null && fieldName.Length > 0 && fieldName.IndexOfAny(new[] { '.', ',' }) < 0 ? prefix + fieldName : null;
            if (nested is not null && IsRequired(property))
            {
                required!.Add(nested);
            }

            fields.Add(Describe(property.Type, fieldName, depth + 1, path, required, nested is null ? null : nested + "."));
        }

        path.Remove(type);
        return new Node(name, TypeName(type), fields);
    }

    private static bool IsRequired(IPropertySymbol property)
        => property.IsRequired || property.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString()
            is "System.Text.Json.Serialization.JsonRequiredAttribute" or "System.ComponentModel.DataAnnotations.RequiredAttribute");

    /// <summary>Public readable instance properties, most derived first, as reflection lists them.</summary>
    private static IEnumerable<IPropertySymbol> PublicInstanceProperties(ITypeSymbol type)
    {
        var seen = new HashSet<string>();
        for (var t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
        {
            foreach (var property in t.GetMembers().OfType<IPropertySymbol>())
            {
                if (property.IsStatic || property.IsIndexer || property.DeclaredAccessibility != Accessibility.Public || property.GetMethod is null
                    || !seen.Add(property.Name))
                {
                    continue;
                }

                yield return property;
            }
        }
    }

    private static ITypeSymbol? ElementType(ITypeSymbol type)
    {
        if (type.SpecialType == SpecialType.System_String || IsByteArray(type))
        {
            return null;
        }

        if (type is IArrayTypeSymbol array)
        {
            return array.ElementType;
        }

        if (type is INamedTypeSymbol { IsGenericType: true } named && Implements(type, "System.Collections.IEnumerable") && !IsDictionary(type))
        {
            return named.TypeArguments[0];
        }

        return null;
    }

    private static bool Implements(ITypeSymbol type, string name)
        => type.ToDisplayString() == name || type.AllInterfaces.Any(i => i.ToDisplayString() == name);

    private static bool IsDictionary(ITypeSymbol type)
        => type.AllInterfaces.Append(type as INamedTypeSymbol).Any(i => i is { IsGenericType: true }
            && i.ConstructedFrom.ToDisplayString() is "System.Collections.Generic.IDictionary<TKey, TValue>" or "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>");

    private static bool IsByteArray(ITypeSymbol type) => type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte };

    private static string? ScalarName(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        if (type.TypeKind == TypeKind.Enum)
        {
            return "enum";
        }

        if (IsDictionary(type))
        {
            var args = type is INamedTypeSymbol { IsGenericType: true } generic ? generic.TypeArguments : default;
            var key = args.IsDefault || args.Length < 2 ? null : args[0];
            var value = args.IsDefault || args.Length < 2 ? null : args[1];
            return $"map[{(key is null ? "any" : ScalarName(key) ?? TypeName(key))}]{(value is null ? "any" : ScalarName(value) ?? TypeName(value))}";
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_String: return "string";
            case SpecialType.System_Boolean: return "bool";
            case SpecialType.System_Int32: return "int32";
            case SpecialType.System_Int64: return "int64";
            case SpecialType.System_UInt32: return "uint32";
            case SpecialType.System_UInt64: return "uint64";
            case SpecialType.System_Int16: return "int32";
            case SpecialType.System_UInt16: return "uint32";
            case SpecialType.System_Byte: return "uint32";
            case SpecialType.System_SByte: return "int32";
            case SpecialType.System_Double: return "double";
            case SpecialType.System_Single: return "float";
            case SpecialType.System_Decimal: return "double";
            case SpecialType.System_DateTime: return "string";
            case SpecialType.System_Object: return "any";
        }

        if (IsByteArray(type))
        {
            return "bytes";
        }

        return type.ToDisplayString() switch
        {
            "System.ReadOnlyMemory<byte>" or "Google.Protobuf.ByteString" => "bytes",
            "System.DateTimeOffset" or "System.Guid" or "System.TimeSpan" => "string",
            "System.Text.Json.JsonElement" => "any",
            _ => null,
        };
    }

    /// <summary>The name reflection's <c>Type.Name</c> gives (<c>List`1</c> for generics).</summary>
    private static string TypeName(ITypeSymbol type) => type is INamedTypeSymbol named ? named.MetadataName : type.Name;

    /// <summary>System.Text.Json's <c>JsonNamingPolicy.CamelCase</c>, character for character.</summary>
    private static string CamelCase(string name)
    {
        if (name.Length == 0 || !char.IsUpper(name[0]))
        {
            return name;
        }

        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (i == 1 && !char.IsUpper(chars[i]))
            {
                break;
            }

            var hasNext = i + 1 < chars.Length;
            if (i > 0 && hasNext && !char.IsUpper(chars[i + 1]))
            {
                if (chars[i + 1] == ' ')
                {
                    chars[i] = char.ToLowerInvariant(chars[i]);
                }

                break;
            }

            chars[i] = char.ToLowerInvariant(chars[i]);
        }

        return new string(chars);
    }

    private static void Write(StringBuilder sb, Node node)
    {
        sb.Append("new global::Micro.Registry.Value { Name = ").Append(Literal(node.Name)).Append(", Type = ").Append(Literal(node.Type));
        if (node.Values is not null)
        {
            sb.Append(", Values = new global::Micro.Registry.Value[] { ");
            for (var i = 0; i < node.Values.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                Write(sb, node.Values[i]);
            }

            sb.Append(" }");
        }

        sb.Append(" }");
    }

    private static string Literal(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}

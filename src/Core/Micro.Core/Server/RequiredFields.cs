using System.Reflection;
using System.Runtime.CompilerServices;

namespace Micro.Server;

/// <summary>
/// Which request fields an endpoint needs, as endpoint metadata (<see cref="Key"/>: comma-separated dotted JSON paths,
/// <c>name,ship.city</c>): the registry's field descriptions are go-micro's and have no such notion, and tools that build
/// a form or a schema (<c>micro mcp</c>) want it. A field is required when System.Text.Json refuses a request without
/// it (a C# <c>required</c> member, <c>[JsonRequired]</c>) or the type says so with <c>[Required]</c> (DataAnnotations).
/// </summary>
public static class RequiredFields
{
    /// <summary>The endpoint metadata key; absent when no field is required.</summary>
    public const string Key = "required";

    /// <summary>The paths in an endpoint's metadata value, at most <paramref name="max"/>, each non-empty.</summary>
    public static IReadOnlyList<string> Parse(string? value, int max = 256)
        => string.IsNullOrEmpty(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(max).ToArray();

    /// <summary>Whether a field name can be written into a path: one with <c>.</c> or <c>,</c> could not be read back.</summary>
    public static bool IsPathSafe(string fieldName) => fieldName.Length > 0 && fieldName.AsSpan().IndexOfAny('.', ',') < 0;

    internal static bool IsRequired(PropertyInfo property)
        => property.IsDefined(typeof(RequiredMemberAttribute), inherit: true)
           || property.IsDefined(typeof(System.Text.Json.Serialization.JsonRequiredAttribute), inherit: true)
           || property.GetCustomAttributes(inherit: true).Any(a => a.GetType().FullName == "System.ComponentModel.DataAnnotations.RequiredAttribute");
}

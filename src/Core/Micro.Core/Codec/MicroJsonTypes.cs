using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Micro.Codec;

/// <summary>
/// Source-generated JSON metadata (a <c>JsonSerializerContext</c>) the JSON codec consults before reflection. Under
/// trimming or Native AOT, reflection is off and these are the only source: contracts register theirs through
/// <c>[MicroContract(JsonContext = typeof(...))]</c>; anything else calls <see cref="Add"/> at start-up.
/// </summary>
public static class MicroJsonTypes
{
    private static readonly Lock Gate = new();
    private static IJsonTypeInfoResolver[] resolvers = [];

    /// <summary>Adds a resolver (usually <c>MyJsonContext.Default</c>); adding the same one twice is harmless.</summary>
    public static void Add(IJsonTypeInfoResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        lock (Gate)
        {
            if (!resolvers.Contains(resolver))
            {
                resolvers = [.. resolvers, resolver];
            }
        }
    }

    internal static IJsonTypeInfoResolver[] Resolvers => Volatile.Read(ref resolvers);
}

/// <summary>The codec's resolver: registered contexts first, then reflection where the app allows it.</summary>
internal sealed class MicroJsonResolver : IJsonTypeInfoResolver
{
    private static readonly IJsonTypeInfoResolver? Reflection = CreateReflectionResolver();

    public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options)
    {
        foreach (var resolver in MicroJsonTypes.Resolvers)
        {
            if (resolver.GetTypeInfo(type, options) is { } info)
            {
                return info;
            }
        }

        return Reflection?.GetTypeInfo(type, options);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Created only when JsonSerializer.IsReflectionEnabledByDefault, which trimmed and AOT apps turn off.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Created only when JsonSerializer.IsReflectionEnabledByDefault, which trimmed and AOT apps turn off.")]
    private static IJsonTypeInfoResolver? CreateReflectionResolver()
        => JsonSerializer.IsReflectionEnabledByDefault ? new DefaultJsonTypeInfoResolver() : null;
}
